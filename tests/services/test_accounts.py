"""Logging in, one-time codes, registration, passwords, keys, and company user management."""

from __future__ import annotations

from datetime import timedelta

import asyncssh
import pytest
from sqlalchemy import select

from backend.db.models import AuditEvent, Company, Role, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel, MembershipUse, Notification
from backend.domain.errors import ValidationError
from backend.services import accounts, companies, directory
from backend.services.accounts import LoginOutcome, Registration
from backend.services.context import SYSTEM, Actor, Portal
from backend.services.errors import Conflict, PermissionDenied

from .conftest import PASSWORD, World


def _registration(**changes: object) -> Registration:
    form = Registration(
        email="Karin@Volvo.se",
        name="Karin Berg",
        password="volvo2026",
        password_confirm="volvo2026",
        country="SE",
        org_id="202100-5489",
        company_name="",
        use=MembershipUse.SENDING,
        accepted_terms=True,
        language="sv",
    )
    for name, value in changes.items():
        setattr(form, name, value)
    return form


def _actions(portal: Portal) -> list[str]:
    with portal.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_password_login_and_the_same_answer_for_unknown_logins(
    portal: Portal, world: World
) -> None:
    anonymous = Actor.anonymous("192.0.2.1")
    ok = accounts.authenticate_password(portal, anonymous, "ANNA@acme.se ", PASSWORD)
    assert ok.ok and ok.user_id == world.acme_admin.user_id and not ok.must_change_password
    wrong = accounts.authenticate_password(portal, anonymous, "anna@acme.se", "nope1234")
    unknown = accounts.authenticate_password(portal, anonymous, "nobody@acme.se", PASSWORD)
    assert wrong == unknown == accounts.LoginResult(LoginOutcome.WRONG)
    assert _actions(portal) == ["login", "login_failed", "login_failed"]


def test_registration_fills_from_the_directory_and_activates_with_the_code(portal: Portal) -> None:
    directory.import_registry(
        portal,
        SYSTEM,
        [{"country": "SE", "org_id": "2021005489", "name": "Volvo AB", "city": "Göteborg"}],
    )
    anonymous = Actor.anonymous()
    found = directory.lookup_organisation(portal, anonymous, "SE", "202100-5489")
    assert found is not None and (found.name, found.city, found.is_member) == (
        "Volvo AB",
        "Göteborg",
        False,
    )

    issued = accounts.register_membership(portal, anonymous, _registration())
    # Not active before the activation code is used.
    before = accounts.authenticate_password(portal, anonymous, "karin@volvo.se", "volvo2026")
    assert before.outcome is LoginOutcome.NOT_ACTIVATED
    result = accounts.authenticate_password(
        portal, anonymous, "karin@volvo.se", issued.code.lower()
    )
    assert result.ok and result.must_change_password and result.language == "sv"
    # A one-time code works once.
    again = accounts.authenticate_password(portal, anonymous, "karin@volvo.se", issued.code)
    assert again.outcome is LoginOutcome.WRONG
    me = Actor.user(result.user_id)
    accounts.change_password(portal, me, "nytt2026x", "nytt2026x")
    assert accounts.authenticate_password(portal, anonymous, "karin@volvo.se", "nytt2026x").ok
    with portal.sessions() as session:
        company = session.scalars(select(Company).where(Company.org_id == "2021005489")).one()
        assert (company.name, company.city, company.status) == (
            "Volvo AB",
            "Göteborg",
            CompanyStatus.ACTIVE,
        )
        user = session.get(User, result.user_id)
        assert user.role is Role.COMPANY_ADMIN and user.may_approve


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "karin"}, "email"),
        ({"password": "short1", "password_confirm": "short1"}, "password"),
        ({"password": "onlyletters", "password_confirm": "onlyletters"}, "password"),
        ({"password_confirm": "volvo2027"}, "password_confirm"),
        ({"org_id": "202100-5488"}, "org_id"),
        ({"accepted_terms": False}, "terms"),
        ({"company_name": ""}, "company_name"),  # not in the directory: must be typed
        ({"registration_code": "NOSUCH", "company_name": "Volvo"}, "registration_code"),
    ],
)
def test_registration_names_the_field_in_error(portal: Portal, changes: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        accounts.register_membership(portal, Actor.anonymous(), _registration(**changes))
    assert error.value.field == field


def test_registration_code_sets_the_level_and_runs_out(portal: Portal) -> None:
    companies.add_registration_code(portal, SYSTEM, "partner-1", MembershipLevel.PREMIUM, uses=1)
    accounts.register_membership(
        portal,
        Actor.anonymous(),
        _registration(company_name="Volvo AB", registration_code="PARTNER-1"),
    )
    with portal.sessions() as session:
        assert session.scalars(select(Company.level)).one() is MembershipLevel.PREMIUM
    with pytest.raises(ValidationError):
        accounts.register_membership(
            portal,
            Actor.anonymous(),
            _registration(
                email="x@y.se", org_id="5560360793", company_name="A", registration_code="partner-1"
            ),
        )


def test_registering_a_member_again_is_refused(portal: Portal, world: World) -> None:
    with pytest.raises(Conflict) as error:
        accounts.register_membership(
            portal, Actor.anonymous(), _registration(org_id="556036-0793", company_name="Acme")
        )
    assert error.value.field == "org_id"


def test_registering_with_a_taken_address_creates_nothing_and_says_nothing(
    portal: Portal, world: World
) -> None:
    """The answer is a notice for the owner, not an error the registering person would see."""
    result = accounts.register_membership(
        portal,
        Actor.anonymous(),
        _registration(email="Anna@Acme.se", company_name="Volvo AB"),
    )
    assert result == accounts.AlreadyRegistered("anna@acme.se", "en")
    with portal.sessions() as session:
        assert session.scalars(select(Company).where(Company.name == "Volvo AB")).first() is None
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "registration_for_existing_account" in actions


def test_reset_code_expires(portal: Portal, world: World) -> None:
    issued = accounts.request_password_reset(portal, Actor.anonymous(), "anna@acme.se")
    assert issued is not None
    assert accounts.request_password_reset(portal, Actor.anonymous(), "nobody@acme.se") is None
    later = Portal(
        portal.engine,
        portal.settings,
        portal.password_hasher,
        clock=lambda: portal.clock() + timedelta(hours=2),
    )
    assert (
        accounts.authenticate_password(
            later, Actor.anonymous(), "anna@acme.se", issued.code
        ).outcome
        is LoginOutcome.WRONG
    )
    assert accounts.authenticate_password(
        portal, Actor.anonymous(), "anna@acme.se", issued.code
    ).must_change_password


def test_change_password_needs_the_current_one(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        accounts.change_password(portal, world.acme_member.actor, "nieuw2026", "nieuw2026", "wrong")
    assert error.value.field == "current_password"
    accounts.change_password(portal, world.acme_member.actor, "nieuw2026", "nieuw2026", PASSWORD)
    assert accounts.authenticate_password(portal, Actor.anonymous(), "bo@acme.se", "nieuw2026").ok


def test_keys_log_in_only_their_owner(portal: Portal, world: World) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="laptop")
    public = key.export_public_key("openssh").decode()
    view = accounts.add_public_key(portal, world.acme_member.actor, public)
    assert view.fingerprint.startswith("SHA256:") and view.comment == "laptop"
    assert accounts.authenticate_key(portal, Actor.anonymous(), "bo@acme.se", public).ok
    assert not accounts.authenticate_key(portal, Actor.anonymous(), "anna@acme.se", public).ok
    with pytest.raises(Conflict):
        accounts.add_public_key(portal, world.acme_admin.actor, public)
    with pytest.raises(ValidationError):
        accounts.add_public_key(portal, world.acme_member.actor, "not a key")
    accounts.remove_public_key(portal, world.acme_member.actor, view.id)
    assert not accounts.authenticate_key(portal, Actor.anonymous(), "bo@acme.se", public).ok
    assert "key_added" in _actions(portal) and "key_removed" in _actions(portal)


def test_deactivated_user_is_refused_at_the_next_call(portal: Portal, world: World) -> None:
    companies.set_user_active(portal, world.acme_admin.actor, world.acme_member.user_id, False)
    with pytest.raises(PermissionDenied):
        accounts.get_profile(portal, world.acme_member.actor)
    login = accounts.authenticate_password(portal, Actor.anonymous(), "bo@acme.se", PASSWORD)
    assert login.outcome is LoginOutcome.INACTIVE


def test_company_admin_manages_users_but_members_do_not(portal: Portal, world: World) -> None:
    issued = companies.add_user(
        portal,
        world.acme_admin.actor,
        world.acme_admin.company_id,
        "Cecilia@acme.se",
        language="nl",
    )
    assert issued is not None and issued.email == "cecilia@acme.se"
    companies.set_user_permissions(
        portal, world.acme_admin.actor, world.acme_member.user_id, may_approve=True
    )
    users = {
        u.email: u
        for u in companies.list_users(portal, world.acme_admin.actor, world.acme_admin.company_id)
    }
    assert users["bo@acme.se"].may_approve and not users["cecilia@acme.se"].active
    with pytest.raises(PermissionDenied):
        companies.add_user(
            portal, world.acme_member.actor, world.acme_admin.company_id, "x@acme.se"
        )
    with pytest.raises(PermissionDenied):  # only portal admins make support staff
        companies.add_user(
            portal,
            world.acme_admin.actor,
            world.acme_admin.company_id,
            "y@acme.se",
            role=Role.SUPPORT,
        )


def test_company_details_are_checked_identifiers(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        companies.update_company(
            portal,
            world.acme_admin.actor,
            world.acme_admin.company_id,
            iban="SE4550000000058398257467",
        )
    assert error.value.field == "iban"
    view = companies.update_company(
        portal,
        world.acme_admin.actor,
        world.acme_admin.company_id,
        iban="se45 5000 0000 0583 9825 7466",
        peppol_id="0007:5560360793",
        invoice_number_prefix="AC-",
    )
    assert (view.iban, view.peppol_id, view.invoice_number_prefix) == (
        "SE4550000000058398257466",
        "0007:5560360793",
        "AC-",
    )


@pytest.mark.parametrize(
    "query",
    [
        "Acme",
        "acme ab",
        "5560360793",
        "SE556036079301",
        "SE45 5000 0000 0583 9825 7466",
        "0007:5560360793",
    ],
)
def test_directory_search_finds_members_by_any_identifier(
    portal: Portal, world: World, query: str
) -> None:
    hits = directory.search_directory(portal, world.bakker_member.actor, query)
    assert [h.name for h in hits] == ["Acme AB"]


def test_directory_search_escapes_like_wildcards(portal: Portal, world: World) -> None:
    assert directory.search_directory(portal, world.bakker_member.actor, "%%") == []


def test_profile_has_phone_notification_and_the_organisation_number(
    portal: Portal, world: World
) -> None:
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.phone, profile.notification) == ("", Notification.EMAIL)
    assert (profile.company_country, profile.company_org_id) == ("SE", "5560360793")
    accounts.update_profile(
        portal,
        world.acme_member.actor,
        name="  Bo Ek ",
        phone=" +46  70-123 45 67 ",
        notification="email_pdf",
    )
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.name, profile.phone, profile.notification) == (
        "Bo Ek",
        "+46 70-123 45 67",
        Notification.EMAIL_PDF,
    )
    assert profile.language == "en"  # not given, not changed
    with portal.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "profile_changed"
        assert dict(event.detail) == {
            "name": "Bo Ek",
            "phone": "+46 70-123 45 67",
            "notification": "email_pdf",
        }
    accounts.update_profile(portal, world.acme_member.actor, phone="")
    assert accounts.get_profile(portal, world.acme_member.actor).phone == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"phone": "12345"}, "phone"),  # too few digits
        ({"phone": "+46 70 123 45 67 89 01 23"}, "phone"),  # more than 15 digits
        ({"phone": "070+1234567"}, "phone"),  # a + only in front
        ({"phone": "\x1b[2J0701234567"}, "phone"),
        ({"notification": "sms"}, "notification"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"language": "de"}, "language"),
    ],
)
def test_update_profile_names_the_field_and_changes_nothing(
    portal: Portal, world: World, changes: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        accounts.update_profile(
            portal, world.acme_member.actor, **{"phone": "0701234567", **changes}
        )
    assert error.value.field == field
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.name, profile.phone, profile.language) == ("Bo", "", "en")
    assert "profile_changed" not in _actions(portal)
