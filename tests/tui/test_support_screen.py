"""The support screens with the Pilot: submitting every case type, my cases, adding
information, the support queue answering (the user gets an e-mail), other companies.

Real parts: the SQLite portal, the user's /upload/ directory on disk, and for the answer mail
a real SMTP server (aiosmtpd) on a free loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, SelectionList, TextArea

from backend.delivery.events import EventKind, event_detail
from backend.delivery.queue import INTERRUPTED
from backend.domain.invoice import DocumentKind
from backend.domain.states import InvoiceState, TicketState
from backend.files import UserFiles
from backend.i18n import translator
from backend.services import accounts, invoices, tickets
from backend.services.context import Portal
from backend.services.tickets import CASE_TYPES, CaseInvoice, CaseInvoiceLine, CaseInvoiceStep
from tests.mail.conftest import Collector, free_port
from tests.services.authz_cases_tickets import PNG, add_invoice, add_support
from tests.services.conftest import Member, World
from tests.services.invoice_factory import add_customer_link, sample_invoice
from tui.screens.support import CaseScreen, NewCaseScreen, SupportScreen
from tui.screens.support_case import invoice_rows
from tui.screens.support_new_case import field_key
from tui.widgets.form import FormField

from .conftest import AppFactory, marked_translators
from .helpers import screen_text, settle, type_text

SIZE = (120, 40)
NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(portal: Portal) -> None:
    portal.clock = lambda: NOW


@pytest.fixture
def support(portal: Portal, world: World) -> Member:
    add_support(portal, world)
    return world.support  # type: ignore[attr-defined]


@pytest.fixture
def smtp(portal: Portal) -> Iterator[Collector]:
    """A real SMTP server on loopback that the portal's mails go to."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    portal.settings = replace(portal.settings, smtp_url=f"smtp://127.0.0.1:{port}?starttls=never")
    try:
        yield collector
    finally:
        controller.stop()


def _field_error(screen, field: str) -> str:  # type: ignore[no-untyped-def]
    for form_field in screen.query(FormField):
        if form_field.field == field:
            error = form_field.query_one(".form-error")
            return str(error.content) if error.has_class("-shown") else ""
    raise AssertionError(f"no field {field}")


async def _to_support(pilot: Pilot) -> SupportScreen:
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SupportScreen)
    return screen


async def _choose_type(pilot: Pilot, screen: NewCaseScreen, case_type: str) -> None:
    """Pick the case type with the keyboard: open the list, arrow down to it, enter."""
    select = screen.query_one("#case-type", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    # The first entry is the prompt (no type chosen yet).
    for _ in range(list(CASE_TYPES).index(case_type) + 1):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    assert select.value == case_type


async def _type_into(pilot: Pilot, screen, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    screen.query_one(selector).focus()
    await type_text(pilot, text)


def _upload(portal: Portal, who: Member, name: str, content: bytes) -> None:
    files = UserFiles.from_settings(portal.settings, who.user_id)
    (files.upload / name).write_bytes(content)


# Typed into the further fields of each type (letters, digits, spaces and dashes only).
FIELD_TEXT = {
    "invoice_number": "A-17",
    "problem": "The VAT was read as the total",
    "examples": "A-17 A-18",
    "coding_rows": "Row 2",
    "wanted_action": "Move it to account 4010",
    "error_message": "Account is closed",
    "users": "Bo",
    "transferred": "No",
    "erp_reference": "Series A 12",
    "wanted_change": "Give Bo the approve permission",
    "company": "Acme AB",
    "concerns": "Bo member",
}


# --- submitting a case ----------------------------------------------------------------------


@pytest.mark.parametrize("case_type", list(CASE_TYPES))
async def test_submit_each_case_type_with_its_required_fields(
    make_app: AppFactory, portal: Portal, world: World, case_type: str
) -> None:
    member = world.acme_member
    invoice_id = add_invoice(portal, member.company_id, None, "A-1")
    _upload(portal, member, "screenshot.png", PNG[2])
    case = CASE_TYPES[case_type]
    app = make_app("main", member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        support_screen = await _to_support(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NewCaseScreen)
        await _type_into(pilot, screen, "#subject", "Something is wrong")
        await _choose_type(pilot, screen, case_type)
        await _type_into(pilot, screen, "#body", "Please look at it")
        # The type's fields are shown, the others are not; required ones are marked.
        for form_field in screen.query_one("#case-fields").query(FormField):
            name = form_field.field.removeprefix("fields.")
            assert form_field.display == any(f.name == name for f in case.fields)
        required = [f.name for f in case.fields if f.required]
        for name in required:
            label = screen.query_one(f"#field-{name}").parent.query_one(".form-label")
            assert str(label.content).endswith(" *")
        screen.query_one(".upload-list", SelectionList).focus()
        await pilot.press("space")

        # Everything but the first required field: refused under that field, input kept.
        first = required[0] if required else ""
        for name in [f.name for f in case.fields if f.name != first]:
            value = str(invoice_id) if name == "invoice_id" else FIELD_TEXT[name]
            await _type_into(pilot, screen, f"#field-{name}", value)
        if required:
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert _field_error(screen, field_key(first)), screen_text(app)
            assert app.screen is screen
            assert screen.query_one("#subject", Input).value == "Something is wrong"
            assert screen.query_one("#body", TextArea).text == "Please look at it"
            assert tickets.list_tickets(portal, member.actor) == []
            value = str(invoice_id) if first == "invoice_id" else FIELD_TEXT[first]
            await _type_into(pilot, screen, f"#field-{first}", value)

        await pilot.press("ctrl+s")
        await settle(pilot)
        [view] = tickets.list_tickets(portal, member.actor)
        assert f"Your case #{view.id} has been submitted" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is support_screen
        assert "Something is wrong" in screen_text(app)

    detail = tickets.get_ticket(portal, member.actor, view.id)
    assert detail.ticket.case_type == case_type
    assert detail.ticket.subject == "Something is wrong"
    assert detail.messages[0].body == "Please look at it"
    assert [a.filename for a in detail.messages[0].attachments] == ["screenshot.png"]
    asked = {f.name for f in case.fields}
    assert {f.name: f.value for f in detail.fields} == {
        name: FIELD_TEXT[name] for name in asked if name != "invoice_id"
    }
    assert detail.ticket.invoice_id == (invoice_id if "invoice_id" in asked else None)


async def test_a_missing_subject_and_a_foreign_invoice_are_named(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    theirs = add_invoice(portal, world.bakker_admin.company_id, None, "B-1")
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        await _choose_type(pilot, screen, "invoice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _field_error(screen, "subject") == "Please enter a subject."
        assert screen.focused is screen.query_one("#subject")

        await _type_into(pilot, screen, "#subject", "Wrong VAT")
        await _type_into(pilot, screen, "#body", "Why")
        await _type_into(pilot, screen, "#field-invoice_id", str(theirs))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _field_error(screen, "subject") == ""
        assert _field_error(screen, "invoice_id") == "Your company has no invoice with this id."
        await _type_into(pilot, screen, "#field-invoice_id", "x")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is a number" in _field_error(screen, "invoice_id")
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


@pytest.mark.parametrize("typed", ["²", "1²", "١٢"])  # digits, but not ours
async def test_a_non_ascii_digit_as_invoice_id_is_named_not_a_crash(
    make_app: AppFactory, portal: Portal, world: World, typed: str
) -> None:
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        await _choose_type(pilot, screen, "invoice")
        await _type_into(pilot, screen, "#subject", "Wrong VAT")
        await _type_into(pilot, screen, "#body", "Why")
        screen.query_one("#field-invoice_id", Input).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert "is a number" in _field_error(screen, "invoice_id")
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


async def test_a_draft_as_invoice_id_is_named_under_the_field(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    acme, bakker = world.acme_admin.company_id, world.bakker_admin.company_id
    customer = add_customer_link(portal, acme, bakker)
    draft = invoices.create_invoice(
        portal, world.acme_admin.actor, sample_invoice(), customer_id=customer
    )
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        await _choose_type(pilot, screen, "invoice")
        await _type_into(pilot, screen, "#subject", "Wrong VAT")
        await _type_into(pilot, screen, "#body", "Why")
        await _type_into(pilot, screen, "#field-invoice_id", str(draft))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "not been sent yet" in _field_error(screen, "invoice_id")
        await pilot.press("escape")
        await settle(pilot)
    invoices.delete_draft(portal, world.acme_admin.actor, draft)
    assert tickets.list_tickets(portal, world.acme_admin.actor) == []


async def test_new_case_screen_with_an_invoice_id_fills_it_in(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    invoice_id = add_invoice(
        portal, world.bakker_admin.company_id, world.acme_member.company_id, "B-7"
    )
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results: list[int | None] = []
        await app.push_screen(NewCaseScreen(invoice_id=invoice_id), results.append)
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#case-type", Select).value == "invoice"
        assert screen.query_one("#field-invoice_id", Input).value == str(invoice_id)
        assert screen.query_one("#field-invoice_id").parent.parent.display
        await _type_into(pilot, screen, "#subject", "Amount differs")
        await _type_into(pilot, screen, "#body", "The order said less")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    [view] = tickets.list_tickets(portal, world.acme_member.actor)
    assert view.invoice_id == invoice_id
    assert view.case_type == "invoice"
    assert results == [view.id]


# --- my cases -------------------------------------------------------------------------------


async def test_my_cases_open_one_and_add_information(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    member = world.acme_member
    first = tickets.open_ticket(portal, member.actor, "question", "Where is my invoice", "Hello")
    _upload(portal, member, "log.txt", b"details")
    app = make_app("main", member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_support(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        text = screen_text(app)
        assert "Where is my invoice" in text and "Open" in text and "Other question" in text
        await pilot.press("enter")
        await settle(pilot)
        case = app.screen
        assert isinstance(case, CaseScreen)
        assert "Hello" in screen_text(app)
        await _type_into(pilot, case, "#reply-body", "It was due last week")
        case.query_one(".upload-list", SelectionList).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Your information was added to the case." in screen_text(app)
        assert case.query_one("#reply-body", TextArea).text == ""
        assert "log.txt" in screen_text(app)
        # The case's attachments go to the user's /downloads/ for sftp.
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert "1 attachment was saved in /downloads/" in screen_text(app)
        downloads = UserFiles.from_settings(portal.settings, member.user_id)
        assert downloads.read_download(f"case-{first.id}-log.txt") == b"details"
        # Closing and reopening from the keyboard.
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert tickets.get_ticket(portal, member.actor, first.id).ticket.state is (
            TicketState.CLOSED
        )
        assert "This case is closed" in screen_text(app)
        await pilot.press("ctrl+o")
        await settle(pilot)
    detail = tickets.get_ticket(portal, member.actor, first.id)
    assert detail.ticket.state is TicketState.OPEN
    assert [m.body for m in detail.messages] == ["Hello", "It was due last week"]
    assert [a.filename for a in detail.messages[1].attachments] == ["log.txt"]


async def test_another_company_sees_none_of_it(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    tickets.open_ticket(portal, world.acme_member.actor, "question", "Acme secret", "Hello")
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_support(pilot)
        assert screen.query_one(DataTable).row_count == 0
        text = screen_text(app)
        assert "Acme secret" not in text
        assert "No support cases here yet" in text
        assert "Support queue" not in text


async def test_markup_and_controls_in_subjects_are_shown_as_typed(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    tickets.open_ticket(
        portal, world.acme_member.actor, "question", "[bold red]Alert[/] \u202eevil", "x[/b]"
    )
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        assert "[bold red]Alert[/] evil" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "x[/b]" in screen_text(app)


def test_the_case_invoice_shows_steps_errors_and_quantities_in_the_readers_terms() -> None:
    t = marked_translators("sv")
    steps = (
        CaseInvoiceStep(NOW, InvoiceState.SENDING, event_detail(EventKind.CLAIMED, 2)),
        CaseInvoiceStep(NOW, InvoiceState.DELIVERED, "mailed: bo@bakker.nl\x1b[2J\u202e"),
    )
    invoice = CaseInvoice(
        7, DocumentKind.INVOICE, "A-7", InvoiceState.FAILED, "Acme AB", "Bakker BV", "",
        NOW.date(), None, "EUR", Decimal("12.35"), Decimal("3.09"), Decimal("15.44"), False,
        INTERRUPTED,
        (CaseInvoiceLine("1", "Cable", Decimal("1.2345"), "MTR", Decimal("12.35")),),
        steps,
    )  # fmt: skip
    rows = dict(invoice_rows(t, invoice))
    assert rows["[sv]Last error"] == "[sv]The delivery was interrupted too often."
    assert rows["[sv]Line 1"].startswith("Cable · 1,2345 MTR")
    steps_shown = [value for label, value in invoice_rows(t, invoice) if label == t.datetime(NOW)]
    assert steps_shown == [
        "[sv]Sending · [sv]Sending, attempt 2",
        "[sv]Delivered · [sv]Sent by e-mail to bo@bakker.nl [2J ",  # no escape, no bidi
    ]


# --- the support queue ----------------------------------------------------------------------


async def test_support_answers_from_the_queue_and_the_user_gets_an_email(
    make_app: AppFactory, portal: Portal, world: World, support: Member, smtp: Collector
) -> None:
    member = world.acme_member
    accounts.update_profile(portal, member.actor, language="sv")
    invoice_id = add_invoice(portal, member.company_id, world.bakker_admin.company_id, "A-42")
    view = tickets.open_ticket(
        portal, member.actor, "invoice", "Fel moms", "Raden stämmer inte", invoice_id=invoice_id
    )
    tickets.open_ticket(portal, world.bakker_member.actor, "question", "Bakker question", "Hoi")
    app = make_app("main", support.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_support(pilot)
        text = screen_text(app)
        assert "Support queue" in text
        assert "Acme AB" in text and "Bakker BV" in text and "Fel moms" in text
        assert screen.query_one(DataTable).row_count == 2
        # Cases are listed most recent first: Bakker's, then Acme's.
        await pilot.press("down", "enter")
        await settle(pilot)
        case = app.screen
        assert isinstance(case, CaseScreen)
        text = screen_text(app)
        assert "The invoice of the case" in text and "A-42" in text
        await _type_into(pilot, case, "#reply-body", "Fixed the VAT rate")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "The answer was sent to bo@acme.se by e-mail." in screen_text(app)
        assert tickets.get_ticket(portal, member.actor, view.id).ticket.state is (
            TicketState.ANSWERED
        )
        # Support sets the status: closed.
        case.query_one("#case-state", Select).value = TicketState.CLOSED
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # The queue shows open cases by default: Acme's answered-then-closed one has gone.
        assert "Fel moms" not in screen_text(app)
    assert tickets.get_ticket(portal, member.actor, view.id).ticket.state is TicketState.CLOSED

    [received] = smtp.messages
    assert received.rcpt_tos == ["bo@acme.se"]
    mail = message_from_bytes(received.content, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    sv = translator("sv")
    assert mail["Content-Language"] == "sv"
    assert mail["Subject"] == sv(
        "Support answered your case {number}: {subject}",
        number=f"#{view.id}",
        subject="Fel moms",
    )
    body = mail.get_body(("plain",)).get_content()
    assert "> Fixed the VAT rate" in body
    assert sv("The answer:") in body


async def test_users_never_get_the_queue_or_the_staff_keys(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    view = tickets.open_ticket(portal, world.acme_admin.actor, "question", "Question", "Hi")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        assert "Support queue" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        case = app.screen
        assert isinstance(case, CaseScreen)
        assert not case.query("#case-state")
        assert "Set status" not in screen_text(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
    assert tickets.get_ticket(portal, world.acme_admin.actor, view.id).ticket.state is (
        TicketState.OPEN
    )


# --- language -------------------------------------------------------------------------------


async def test_support_screens_are_translated_and_follow_a_live_switch(
    make_app: AppFactory, portal: Portal, world: World
) -> None:
    tickets.open_ticket(portal, world.acme_member.actor, "question", "Question", "Hi")
    accounts.update_profile(portal, world.acme_member.actor, language="nl")
    app = make_app("main", world.acme_member.user_id, language="nl", marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        text = screen_text(app)
        for english in ("My cases", "Case", "Subject", "Status", "Last update", "Other question"):
            assert f"[nl]{english}" in text, english
        await pilot.press("enter")
        await settle(pilot)
        assert "[nl]Add information" in screen_text(app)
        await app.set_language("sv")
        await settle(pilot)
        text = screen_text(app)
        assert "[sv]Add information" in text and "[nl]" not in text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        text = screen_text(app)
        assert "[sv]Subject *" in text and "[sv]Type of case *" in text
        assert "[nl]" not in text
        # Select draws its prompt as markup, which swallows the "[sv]" mark on screen.
        assert app.screen.query_one("#case-type", Select).prompt == "[sv]Choose the type of case"
        await app.set_language("nl")
        await settle(pilot)
        assert app.screen.query_one("#case-type", Select).prompt == "[nl]Choose the type of case"
        assert "[nl]Subject *" in screen_text(app)


async def test_the_queue_filters_by_status(
    make_app: AppFactory, portal: Portal, world: World, support: Member
) -> None:
    done = tickets.open_ticket(portal, world.acme_member.actor, "question", "Done one", "x")
    tickets.close_ticket(portal, world.acme_member.actor, done.id)
    tickets.open_ticket(portal, world.bakker_member.actor, "question", "Waiting one", "y")
    app = make_app("main", support.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_support(pilot)
        text = screen_text(app)
        assert "Waiting one" in text and "Done one" not in text
        status = screen.query_one("#support-status", Select)
        for value, shown, hidden in (
            ("closed", "Done one", "Waiting one"),
            ("all", "Done one", None),
        ):
            status.value = value
            await settle(pilot)
            text = screen_text(app)
            assert shown in text
            if hidden:
                assert hidden not in text


async def test_an_answer_is_kept_when_the_mail_cannot_be_sent(
    make_app: AppFactory, portal: Portal, world: World, support: Member
) -> None:
    # Nothing listens on this loopback port: the SMTP connection is refused.
    portal.settings = replace(
        portal.settings, smtp_url=f"smtp://127.0.0.1:{free_port()}?starttls=never"
    )
    view = tickets.open_ticket(portal, world.acme_member.actor, "question", "Question", "Hi")
    app = make_app("main", support.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _to_support(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await _type_into(pilot, app.screen, "#reply-body", "Here is the answer")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "could not be sent" in screen_text(app)
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    assert detail.ticket.state is TicketState.ANSWERED
    assert detail.messages[-1].body == "Here is the answer"
