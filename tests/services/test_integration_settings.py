"""The integration settings, rules and fetched files as company admins use them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.db.models import Company, IntegrationSettings, MembershipLevel
from backend.domain.errors import ValidationError
from backend.domain.substitution import Rule, SubstitutionField, SubstitutionMode
from backend.i18n import translator
from backend.integration.secret_box import KEY_FILE
from backend.services import integration
from backend.services.context import Portal
from backend.services.errors import PermissionDenied
from backend.services.integration import IntegrationForm
from tests.integration.integration_world import add_nordisk, invoice_file
from tests.integration.servers import sftp_server

from .authz_cases_integration import saved_settings
from .conftest import World


def form(**changes: object) -> IntegrationForm:
    values: dict[str, object] = {
        "enabled": True,
        "file_format": "peppol-bis3",
        "protocol": "sftp",
        "host": "erp.acme.se",
        "port": 22,
        "username": "portal",
        "password": "Tr0ub4dor&3",
        "path": "/out",
        "error_email": "it@acme.se",
    }
    values.update(changes)
    return IntegrationForm(**values)  # type: ignore[arg-type]


def set_level(portal: Portal, company_id: int, level: MembershipLevel) -> None:
    with portal.sessions.begin() as session:
        company = session.get(Company, company_id)
        assert company is not None
        company.level = level


def test_saved_settings_come_back_without_the_secret(portal: Portal, world: World) -> None:
    integration.save_integration(portal, world.acme_admin.actor, form())
    view = integration.get_integration(portal, world.acme_admin.actor)
    assert view.allowed and view.enabled
    assert (view.protocol, view.host, view.port, view.path) == ("sftp", "erp.acme.se", 22, "/out")
    assert view.password_set and not view.private_key_set
    assert "Tr0ub4dor" not in repr(view)
    with portal.sessions() as session:
        row = session.scalar(select(IntegrationSettings))
        assert row is not None and row.secret_encrypted is not None
        assert b"Tr0ub4dor" not in row.secret_encrypted
    key = (Path(portal.settings.data_dir) / KEY_FILE).stat()
    assert key.st_mode & 0o077 == 0  # the key is the portal user's alone


def test_a_saved_password_is_kept_unless_replaced_or_removed(portal: Portal, world: World) -> None:
    integration.save_integration(portal, world.acme_admin.actor, form())
    integration.save_integration(portal, world.acme_admin.actor, form(password=None, port=2222))
    assert integration.get_integration(portal, world.acme_admin.actor).password_set
    with pytest.raises(ValidationError) as refused:
        integration.save_integration(portal, world.acme_admin.actor, form(password=""))
    assert refused.value.field == "password"  # enabled needs a password or a key


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"port": 0}, "port"),
        ({"host": ""}, "host"),
        ({"host": "erp acme;rm"}, "host"),
        ({"error_email": "not-an-address"}, "error_email"),
        ({"error_email": ""}, "error_email"),
        ({"poll_interval_minutes": 0}, "poll_interval_minutes"),
        ({"file_pattern": "../*.xml"}, "file_pattern"),
        ({"protocol": "gopher"}, "protocol"),
        ({"private_key": "-----BEGIN NONSENSE-----"}, "private_key"),
    ],
)
def test_bad_settings_name_the_field(
    portal: Portal, world: World, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        integration.save_integration(portal, world.acme_admin.actor, form(**changes))
    assert refused.value.field == field


def test_free_members_see_the_upgrade_and_cannot_save(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    set_level(portal, acme, MembershipLevel.FREE)
    view = integration.get_integration(portal, world.acme_admin.actor)
    assert not view.allowed and not view.enabled
    with pytest.raises(PermissionDenied) as refused:
        integration.save_integration(portal, world.acme_admin.actor, form())
    assert "Plus" in refused.value.render(translator("en").gettext)
    with pytest.raises(PermissionDenied):
        integration.save_substitution_rules(portal, world.acme_admin.actor, [], [])


def test_a_plain_member_is_refused(portal: Portal, world: World) -> None:
    for call in (
        lambda: integration.get_integration(portal, world.acme_member.actor),
        lambda: integration.save_integration(portal, world.acme_member.actor, form()),
        lambda: integration.list_fetched_files(portal, world.acme_member.actor),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_rules_and_unit_codes_are_checked_and_saved(portal: Portal, world: World) -> None:
    actor = world.acme_admin.actor
    rules = [
        Rule(
            SubstitutionField.SELLER_IBAN, SubstitutionMode.ALWAYS, "se45 5000 0000 0583 9825 7466"
        ),
        Rule(SubstitutionField.NOTE, SubstitutionMode.IF_MISSING, "Tack!"),
        Rule(SubstitutionField.ORDER_REFERENCE, SubstitutionMode.NEVER, ""),
    ]
    integration.save_substitution_rules(portal, actor, rules, [("st", "h87"), ("uur", "HUR")])
    saved = integration.get_substitution_rules(portal, actor)
    assert saved.rules[0].value == "SE4550000000058398257466"
    assert [r.field for r in saved.rules] == [r.field for r in rules]
    assert saved.unit_codes == (("st", "H87"), ("uur", "HUR"))
    bad_iban = [Rule(SubstitutionField.SELLER_IBAN, SubstitutionMode.ALWAYS, "SE00 1234")]
    with pytest.raises(ValidationError) as refused:
        integration.save_substitution_rules(portal, actor, bad_iban, [])
    assert refused.value.field == "rule.seller_iban"
    with pytest.raises(ValidationError) as refused:
        integration.save_substitution_rules(portal, actor, [], [("st", "PIECES")])
    assert refused.value.field == "unit_codes"
    with pytest.raises(ValidationError):
        integration.save_substitution_rules(portal, actor, [], [("st", "H87"), ("ST", "C62")])
    assert integration.get_substitution_rules(portal, actor) == saved  # nothing half-saved


def test_testing_the_connection_reports_success_and_failure(
    portal: Portal, world: World, tmp_path: Path
) -> None:
    actor = world.acme_admin.actor
    root = tmp_path / "erp"
    root.mkdir()
    (root / "a.xml").write_bytes(b"<x/>")
    (root / "b.txt").write_bytes(b"x")
    with sftp_server(root) as server:
        good = form(host=server.host, port=server.port, username=server.username,
                    password=server.password, path="/")  # fmt: skip
        integration.save_integration(portal, actor, good)
        check = integration.test_connection(portal, actor)
        assert check.ok and check.files == 1 and check.names == ("a.xml",)
        assert check.host_key_fingerprint.startswith("SHA256:")
        integration.save_integration(portal, actor, dataclasses.replace(good, password="wrong"))
        check = integration.test_connection(portal, actor)
    assert not check.ok and check.problem is not None
    assert "refused the login" in check.problem.render(translator("en"))


def test_a_failed_file_is_retried_after_the_customer_is_added(portal: Portal, world: World) -> None:
    actor = world.acme_admin.actor
    saved_settings(portal, world, enabled=False)
    from backend.db.models.integration import FileFormat
    from backend.integration.pipeline import CompanyBook, Recipe, prepare, store

    data = invoice_file("ERP-77")
    with portal.transaction(writes=True) as session:
        store(
            session,
            CompanyBook(session, world.acme_admin.company_id),
            prepare(data, Recipe(FileFormat.PEPPOL_BIS3)),
            name="erp-77.xml",
            source="/out/erp-77.xml",
            data=data,
            now=portal.clock(),
            auto_approve=False,
        )
    [failed] = integration.list_fetched_files(portal, actor)
    assert failed.status == "failed" and failed.problems[0].field == "buyer"
    add_nordisk(portal, world.acme_admin.company_id)
    retried = integration.retry_fetched_file(portal, actor, failed.id)
    assert retried.status == "imported" and retried.invoice_number == "ERP-77"
    assert retried.attempts == 2
