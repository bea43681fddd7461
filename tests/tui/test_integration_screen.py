"""The business-system screen (Company details -> Ctrl+B): connection settings, substitution
rules, fetched files and their retry, notices; who may see and change them."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from backend.db.models import Company
from backend.db.models.accounts import MembershipLevel
from backend.db.models.integration import FetchedFileStatus, IntegrationSettings
from backend.domain.substitution import SubstitutionField, SubstitutionMode
from backend.formats.ubl_writer import write_ubl
from backend.integration import notices
from backend.integration.pickers.base import PickerError, PickerErrorKind
from backend.integration.pipeline import CompanyBook, Recipe, prepare, store
from backend.integration.poller import recipe_for
from backend.integration.secret_box import SecretBox
from backend.services import integration
from backend.services.context import Portal
from tests.formats.invoice_samples import swedish_invoice
from tests.integration.integration_world import add_nordisk
from tests.integration.servers import ServerInfo, ftp_server
from tests.services.conftest import World
from tui.screens.company import CompanyScreen
from tui.screens.home import HomeScreen
from tui.screens.integration import IntegrationScreen
from tui.screens.integration_files import FilesTable, NoticesTable, ReportOverlay
from tui.screens.integration_rules import UnitRow
from tui.widgets.form import FormField

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .test_profile_screen import field_error, replace_text

SIZE = (120, 40)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SFTP_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----"


async def open_integration(pilot: Pilot) -> IntegrationScreen:
    await settle(pilot)
    await pilot.press("f12")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CompanyScreen)
    await pilot.press("ctrl+b")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntegrationScreen)
    return screen


async def choose(pilot: Pilot, select_id: str, value: str) -> None:
    """Set a drop-down as the keyboard would leave it (the Changed message included)."""
    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    select.value = value
    await pilot.pause()


def shown(widget: Widget) -> bool:
    """Whether the form row of ``widget`` is shown."""
    return next(a for a in widget.ancestors if isinstance(a, FormField)).display


def _set_level(portal: Portal, company_id: int, level: MembershipLevel) -> None:
    with portal.sessions.begin() as session:
        session.execute(update(Company).where(Company.id == company_id).values(level=level))


def _stored(portal: Portal, company_id: int) -> IntegrationSettings | None:
    with portal.sessions() as session:
        row = session.query(IntegrationSettings).filter_by(company_id=company_id).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def _fetched(portal: Portal, company_id: int, name: str, data: bytes) -> int:
    """A fetched file stored as the poller would (failed or imported, per the rules)."""
    with portal.transaction(writes=True) as session:
        company = session.get(Company, company_id)
        assert company is not None
        settings = IntegrationSettings(company_id=company_id, file_format="peppol-bis3")
        recipe: Recipe = recipe_for(session, company, settings)
        outcome = store(
            session,
            CompanyBook(session, company_id),
            prepare(data, recipe),
            name=name,
            source="ftp://erp.acme.example/out",
            data=data,
            now=NOW,
            auto_approve=False,
        )
        assert outcome.file_id is not None
        return outcome.file_id


def pieces_in_st(number: str) -> bytes:
    """An invoice whose lines say "st" (Swedish for pieces), not the UN/ECE code H87."""
    invoice = swedish_invoice(2)
    lines = [dataclasses.replace(line, unit_code="st") for line in invoice.lines]
    return write_ubl(dataclasses.replace(invoice, number=number, lines=lines))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServerInfo]:
    root = tmp_path / "served"
    root.mkdir()
    (root / "a-0001.xml").write_bytes(b"<Invoice/>")
    (root / "notes.txt").write_bytes(b"not an invoice")
    with ftp_server(root) as server:
        yield server


# --- who may see it ---------------------------------------------------------------------------


async def test_members_cannot_reach_the_business_system(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f12", "ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # Put on screen by hand, it shows the refusal and no settings.
        await app.push_screen(IntegrationScreen())
        await settle(pilot)
        text = screen_text(app)
        assert "You do not have permission to do this." in text
        assert "Fetch files from" not in text


async def test_free_members_see_how_to_upgrade_and_cannot_save(
    make_app: AppFactory, world: World, portal: Portal
):
    _set_level(portal, world.acme_admin.company_id, MembershipLevel.FREE)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        text = screen_text(app)
        assert "part of the Plus and Premium memberships" in text
        assert "open a support case (F10)" in text
        enabled = screen.query_one("#enabled", Checkbox)
        assert enabled.disabled or any(a.disabled for a in enabled.ancestors)
        await pilot.press("space", "ctrl+s")  # nothing can take the cursor, nothing is saved
        await settle(pilot)
        assert not enabled.value
        active = screen.active_bindings.values()
        assert not any(b.binding.action == "save" and b.enabled for b in active)
    assert _stored(portal, world.acme_admin.company_id) is None


# --- the connection ---------------------------------------------------------------------------


async def test_an_sftp_connection_is_saved_and_the_secret_never_shown_back(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_integration(pilot)
        port = screen.query_one("#port", Input)
        assert port.value == "21"
        await choose(pilot, "protocol", "sftp")
        assert port.value == "22"  # the standard port follows the protocol
        assert shown(screen.query_one("#private_key", TextArea))
        assert not shown(screen.query_one("#ftps_mode", Select))  # FTP only
        assert not shown(screen.query_one("#forget_password", Checkbox))  # nothing stored
        screen.query_one("#enabled", Checkbox).value = True
        await replace_text(pilot, screen.query_one("#host", Input), "sftp.acme.example")
        await replace_text(pilot, screen.query_one("#username", Input), "portal")
        await replace_text(pilot, screen.query_one("#password", Input), "Hemligt-123")
        await replace_text(pilot, screen.query_one("#path", Input), "/out/invoices")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "The settings are saved." in screen_text(app)
        assert screen.query_one("#password", Input).value == ""
        assert "Hemligt-123" not in screen_text(app)
        assert "Stored (not shown)" in screen_text(app)

    stored = _stored(portal, world.acme_admin.company_id)
    assert stored is not None
    assert (stored.enabled, stored.protocol, stored.host, stored.port) == (
        True,
        "sftp",
        "sftp.acme.example",
        22,
    )
    assert (stored.username, stored.path, stored.error_email) == (
        "portal",
        "/out/invoices",
        "anna@acme.se",
    )
    box = SecretBox.in_data_dir(portal.settings.data_dir)
    assert box.decrypt(stored.secret_encrypted) == "Hemligt-123"
    view = integration.get_integration(portal, world.acme_admin.actor)
    assert view.password_set and not view.private_key_set


async def test_bad_fields_are_named_under_them_and_what_was_typed_stays(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        form = screen.query_one("#connection-form")
        host = screen.query_one("#host", Input)
        port = screen.query_one("#port", Input)
        await replace_text(pilot, host, "ftp.acme.example")
        await replace_text(pilot, port, "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(form, "port") == "The port is a number from 1 to 65535."
        assert app.focused is port and port.value == "0" and host.value == "ftp.acme.example"

        await replace_text(pilot, port, "2121")
        email = screen.query_one("#error_email", Input)
        await replace_text(pilot, email, "fel@@acme")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(form, "port") == ""
        assert field_error(form, "error_email") == "“fel@@acme” is not an e-mail address."
        assert app.focused is email and email.value == "fel@@acme" and port.value == "2121"
    assert _stored(portal, world.acme_admin.company_id) is None


async def test_the_standard_port_follows_ssl_and_ftps_unless_one_was_typed(
    make_app: AppFactory, world: World
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        port = screen.query_one("#port", Input)
        await choose(pilot, "ftps_mode", "implicit")
        assert port.value == "990"
        await choose(pilot, "protocol", "pop3")
        assert port.value == "110"
        assert shown(screen.query_one("#use_ssl", Checkbox))
        screen.query_one("#use_ssl", Checkbox).value = True
        await pilot.pause()
        assert port.value == "995"
        await replace_text(pilot, port, "1995")
        screen.query_one("#use_ssl", Checkbox).value = False
        await pilot.pause()
        assert port.value == "1995"  # typed by the user: kept


async def test_the_help_text_follows_the_focused_field(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        screen.query_one("#file_pattern", Input).focus()
        await pilot.pause()
        assert "to only retrieve XML invoices, type *.xml" in screen_text(app)
        await choose(pilot, "protocol", "pop3")
        screen.query_one("#port", Input).focus()
        await pilot.pause()
        assert "Standard is 110; 995 if Secure Sockets Layer (SSL) is used." in screen_text(app)


async def test_testing_the_connection_lists_the_files_or_says_why_not(
    make_app: AppFactory, world: World, portal: Portal, served: ServerInfo
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        await replace_text(pilot, screen.query_one("#host", Input), served.host)
        await replace_text(pilot, screen.query_one("#port", Input), str(served.port))
        await replace_text(pilot, screen.query_one("#username", Input), served.username)
        await replace_text(pilot, screen.query_one("#password", Input), served.password)
        await pilot.press("ctrl+t")  # saves what changed, then connects
        await settle(pilot)
        text = screen_text(app)
        assert "The connection works. 1 file is waiting to be fetched." in text
        assert "First files: a-0001.xml" in text
        assert _stored(portal, world.acme_admin.company_id) is not None

        await replace_text(pilot, screen.query_one("#password", Input), "wrong")
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = screen_text(app)
        assert "The connection failed:" in text
        assert "The connection works." not in text


async def test_a_private_key_is_stored_and_can_be_removed(
    make_app: AppFactory, world: World, portal: Portal
):
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_integration(pilot)
        await choose(pilot, "protocol", "sftp")
        await replace_text(pilot, screen.query_one("#host", Input), "sftp.acme.example")
        screen.query_one("#private_key", TextArea).text = key
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert integration.get_integration(portal, world.acme_admin.actor).private_key_set
        assert screen.query_one("#private_key", TextArea).text == ""
        assert SFTP_KEY not in screen_text(app)
        remove = screen.query_one("#forget_private_key", Checkbox)
        assert shown(remove)
        remove.value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert not integration.get_integration(portal, world.acme_admin.actor).private_key_set


# --- substitution rules -----------------------------------------------------------------------


async def test_substitution_rules_and_unit_codes_are_saved(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_integration(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        assert screen.tabs.active == "tab-rules"
        await choose(pilot, "mode-payment_terms", SubstitutionMode.ALWAYS)
        await replace_text(pilot, screen.query_one("#value-payment_terms", Input), "30 days")
        await choose(pilot, "mode-seller_iban", SubstitutionMode.IF_MISSING)
        await replace_text(pilot, screen.query_one("#value-seller_iban", Input), "SE45 5000")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "st")
        await pilot.press("tab")
        await type_text(pilot, "H87")
        await pilot.press("ctrl+s")
        await settle(pilot)
        rules_form = screen.query_one("#rules-form")
        assert field_error(rules_form, "rule.seller_iban").startswith("The IBAN")
        assert screen.query_one("#value-seller_iban", Input).value == "SE45 5000"
        assert app.focused is screen.query_one("#value-seller_iban", Input)

        await replace_text(
            pilot, screen.query_one("#value-seller_iban", Input), "SE4550000000058398257466"
        )
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "uur")
        await pilot.press("tab")
        await type_text(pilot, "hur")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(rules_form, "rule.seller_iban") == ""
        assert "The substitution rules are saved." in screen_text(app)
        rows = screen.query(UnitRow)
        assert [row.pair for row in rows] == [("st", "H87"), ("uur", "HUR")]

        # Ctrl+R removes the row the cursor is in.
        rows.first().query_one(Input).focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    view = integration.get_substitution_rules(portal, world.acme_admin.actor)
    rules = {rule.field: (rule.mode, rule.value) for rule in view.rules}
    assert rules == {
        SubstitutionField.PAYMENT_TERMS: (SubstitutionMode.ALWAYS, "30 days"),
        SubstitutionField.SELLER_IBAN: (SubstitutionMode.IF_MISSING, "SE4550000000058398257466"),
    }
    assert view.unit_codes == (("uur", "HUR"),)


async def test_an_unknown_unit_code_is_named_under_the_table(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "st")
        await pilot.press("tab")
        await type_text(pilot, "PCS")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = field_error(screen.query_one("#rules-form"), "unit_codes")
        assert error.startswith("“PCS” is not a UN/ECE unit code")
        assert screen.query_one(UnitRow).pair == ("st", "PCS")
    assert integration.get_substitution_rules(portal, world.acme_admin.actor).unit_codes == ()


# --- fetched files and notices ----------------------------------------------------------------


async def test_a_failed_file_is_retried_after_the_missing_unit_code_is_added(
    make_app: AppFactory, world: World, portal: Portal
):
    company_id = world.acme_admin.company_id
    add_nordisk(portal, company_id)
    file_id = _fetched(portal, company_id, "ACME-7.xml", pieces_in_st("ACME-7"))
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        screen.show_tab("tab-files")
        await settle(pilot)
        table = screen.query_one(FilesTable)
        assert table.current is not None and table.current.id == file_id
        status, name, _fetched_at, outcome = (str(c) for c in table.get_row_at(0))
        assert (status, name) == ("Failed", "ACME-7.xml")
        assert outcome.startswith("[BR-CL-23] The unit of measure 'st'")

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportOverlay)
        assert "The unit of measure 'st' is not a UN/ECE" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("r")  # still no rule: it fails again and says why
        await settle(pilot)
        assert "ACME-7.xml failed again: [BR-CL-23]" in screen_text(app)

        screen.show_tab("tab-rules")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_text(pilot, "st")
        await pilot.press("tab")
        await type_text(pilot, "H87")
        await pilot.press("ctrl+s")
        await settle(pilot)

        screen.show_tab("tab-files")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert "ACME-7.xml is imported: invoice ACME-7 awaits approval." in text
        assert str(table.get_row_at(0)[0]) == "Imported"
        assert str(table.get_row_at(0)[3]) == "Invoice ACME-7"
    files = integration.list_fetched_files(portal, world.acme_admin.actor)
    assert [(f.id, f.status, f.invoice_number, f.attempts) for f in files] == [
        (file_id, FetchedFileStatus.IMPORTED, "ACME-7", 3)
    ]


async def test_a_hostile_file_name_is_shown_inert(
    make_app: AppFactory, world: World, portal: Portal
):
    company_id = world.acme_admin.company_id
    hostile = "evil\x1b]0;owned\x07\x1b[31m.xml"
    _fetched(portal, company_id, hostile, b"not xml at all")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        screen.show_tab("tab-files")
        await settle(pilot)
        for _ in range(50):  # a loaded machine may draw the rows a few frames later
            if "evil ]0;owned" in screen_text(app):
                break
            await pilot.pause(0.05)
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "evil ]0;owned  [31m.xml" in text
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "\x1b" not in text and "Report for evil ]0;owned  [31m.xml" in text


async def test_notices_list_the_open_problems_with_server_words_inert(
    make_app: AppFactory, world: World, portal: Portal
):
    company_id = world.acme_admin.company_id
    refused = PickerError(PickerErrorKind.LOGIN, "530 Login incorrect\x1b[2J")
    key, problem = notices.connection_problem(refused, "ftp.acme.example", "portal")
    with portal.transaction(writes=True) as session:
        notices.record(session, company_id, key, problem, NOW)
        notices.record(session, company_id, key, problem, NOW + timedelta(minutes=15))
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        screen.show_tab("tab-notices")
        await settle(pilot)
        table = screen.query_one(NoticesTable)
        assert [(n.occurrences, n.mailed_at is not None) for n in table.items] == [(2, True)]
        shown = "ftp.acme.example refused the login of portal: 530 Login incorrect [2J"
        for _ in range(50):  # a loaded machine may draw the rows a few frames later
            if shown in screen_text(app):
                break
            await pilot.pause(0.05)
        text = screen_text(app)
        assert shown in text
        assert "\x1b" not in text


def test_sample_file_fails_on_its_unit_code() -> None:
    """The retry test's file fails on "st" and only on it (else it would prove nothing)."""
    data = pieces_in_st("ACME-7")
    assert prepare(data, Recipe("peppol-bis3")).fatal
    assert not prepare(data, Recipe("peppol-bis3", unit_codes={"st": "H87"})).fatal


async def test_a_language_switch_rerenders_everything_and_keeps_what_was_typed(
    make_app: AppFactory, world: World, portal: Portal
):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_integration(pilot)
        await replace_text(pilot, screen.query_one("#host", Input), "127.0.0.1")
        await replace_text(pilot, screen.query_one("#port", Input), str(closed))
        await replace_text(pilot, screen.query_one("#username", Input), "portal")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "The connection failed: The portal could not connect to 127.0.0.1" in (
            screen_text(app)
        )
        assert "[nl]" not in screen_text(app)
        await pilot.press("f2", "down", "enter")  # English -> Nederlands
        await settle(pilot)
        assert app.screen is screen
        text = screen_text(app)
        for expected in (
            "[nl]Connection",
            "[nl]Substitution rules",
            "[nl]Files",
            "[nl]Notices",
            "[nl]Fetch files from",
            "[nl]Peppol BIS Billing 3.0 (UBL)",
            "[nl]FTP / FTPS",
            "[nl]Server",
            "[nl]No files have been fetched yet.",
            "[nl]The connection failed: [nl]The portal could not connect to 127.0.0.1",
            "[nl]Type the user name for your FTP account.",
            "[nl]Test the connection",
        ):
            assert expected in text, expected
        assert screen.query_one("#username", Input).value == "portal"
        screen.show_tab("tab-rules")
        await settle(pilot)
        text = screen_text(app)
        assert "[nl]Seller IBAN" in text and "[nl]Never (leave as sent)" in text
