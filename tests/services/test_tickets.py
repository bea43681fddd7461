"""Support cases: opening, case types and their fields, replies, states, attachments, access."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from backend.db.models import User
from backend.domain.errors import TransitionError, ValidationError
from backend.domain.states import TicketState
from backend.files import UserFiles
from backend.i18n import translator
from backend.mail.ticket_mail import answer_mail
from backend.services import accounts, audit, invoices, tickets
from backend.services.context import SYSTEM, Portal
from backend.services.errors import NotFound, PermissionDenied
from backend.services.tickets import CASE_TYPES, MAX_ATTACHMENT_BYTES

from .authz_cases_tickets import PNG, add_invoice, add_support
from .conftest import Member, World
from .invoice_factory import add_customer_link, sample_invoice


@pytest.fixture
def clock(portal: Portal) -> list[datetime]:
    """A clock that moves one minute per reading, so "most recent first" is well defined."""
    now = [datetime(2026, 3, 1, 9, 0, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(minutes=1)
        return now[0]

    portal.clock = tick
    return now


@pytest.fixture
def support(portal: Portal, world: World) -> Member:
    add_support(portal, world)
    return world.support  # type: ignore[attr-defined]


def _open(portal: Portal, who: Member, subject: str = "Cannot find invoice", **kw: object):
    return tickets.open_ticket(portal, who.actor, "question", subject, "Please help", **kw)


# --- case types ---------------------------------------------------------------------------


def test_case_types_are_the_support_guides_with_their_fields() -> None:
    assert list(CASE_TYPES) == [
        "invoice",
        "capture_verification",
        "coding",
        "review_approval",
        "automatic_steps",
        "administration",
        "question",
    ]
    for case in CASE_TYPES.values():
        assert case.label
        assert all(f.name and f.label for f in case.fields)

    def names(case_type: str, *, required: bool | None = None) -> list[str]:
        return [
            f.name
            for f in CASE_TYPES[case_type].fields
            if required is None or f.required is required
        ]

    assert names("capture_verification") == ["invoice_number", "invoice_id", "problem", "examples"]
    assert CASE_TYPES["capture_verification"].one_of == ("invoice_number", "invoice_id")
    assert names("coding", required=True) == ["invoice_id", "coding_rows", "wanted_action"]
    assert names("coding", required=False) == ["error_message"]
    assert names("review_approval", required=True) == ["invoice_id", "coding_rows", "users"]
    assert names("review_approval", required=False) == ["error_message"]
    assert names("automatic_steps", required=True) == ["invoice_id", "transferred"]
    assert names("automatic_steps", required=False) == ["erp_reference"]
    assert names("administration", required=True) == ["wanted_change", "company", "concerns"]
    assert names("invoice") == ["invoice_id"]
    assert names("question") == []


# --- opening ------------------------------------------------------------------------------


def test_a_member_opens_a_case_for_their_company(portal: Portal, world: World) -> None:
    view = _open(portal, world.acme_member)
    assert view.state is TicketState.OPEN
    assert view.company_id == world.acme_member.company_id
    assert view.company_name == "Acme AB"
    assert view.case_type == "question"
    assert view.subject == "Cannot find invoice"

    detail = tickets.get_ticket(portal, world.acme_admin.actor, view.id)
    assert detail.ticket == view
    assert detail.created_by_name == "Bo"
    assert [(m.author_name, m.body, m.by_support) for m in detail.messages] == [
        ("Bo", "Please help", False)
    ]
    events = audit.list_audit_events(portal, world.acme_admin.actor, view.company_id)
    assert events[0].action == "ticket_opened"
    assert events[0].subject == f"ticket:{view.id}"


def test_unknown_case_type_is_refused(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, world.acme_member.actor, "complaint", "Subject", "Body")
    assert excinfo.value.field == "case_type"


@pytest.mark.parametrize("subject", ["", "   ", "\x1b[2J", "x" * 201])
def test_subject_must_have_1_to_200_characters(portal: Portal, world: World, subject: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _open(portal, world.acme_member, subject)
    assert excinfo.value.field == "subject"


def test_subject_of_200_characters_is_fine_and_controls_are_removed(
    portal: Portal, world: World
) -> None:
    assert len(_open(portal, world.acme_member, "s" * 200).subject) == 200
    view = _open(portal, world.acme_member, "Red\x1b[31m alert\x07\nnow")
    assert view.subject == "Red alert now"


@pytest.mark.parametrize("body", ["", "  \n\t ", "\x1b[31m\x1b[0m"])
def test_body_must_not_be_empty(portal: Portal, world: World, body: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, world.acme_member.actor, "question", "Subject", body)
    assert excinfo.value.field == "body"


def test_body_keeps_lines_but_not_escape_sequences(portal: Portal, world: World) -> None:
    view = tickets.open_ticket(
        portal,
        world.acme_member.actor,
        "question",
        "Subject",
        "Line one\r\n\x1b]0;pwned\x07Line\ttwo\x1b[1m",
    )
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    assert detail.messages[0].body == "Line one\nLine\ttwo"


def test_required_fields_of_the_case_type(portal: Portal, world: World) -> None:
    actor = world.acme_member.actor
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    given = {"coding_rows": "2", "wanted_action": "Move to account 4010"}
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(
            portal,
            actor,
            "coding",
            "Coding",
            "See below",
            invoice_id=invoice_id,
            fields={"coding_rows": "2"},
        )
    assert excinfo.value.field == "fields.wanted_action"
    # The field's label is a msgid too: it is translated along with the message.
    rendered = excinfo.value.render(lambda s: f"<{s}>")
    assert rendered == "<Please fill in “<What do you want to do?>”.>"
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(
            portal,
            actor,
            "coding",
            "Coding",
            "See below",
            invoice_id=invoice_id,
            fields={**given, "coding_rows": "  "},
        )
    assert excinfo.value.field == "fields.coding_rows"
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, actor, "coding", "Coding", "See below", fields=given)
    assert excinfo.value.field == "invoice_id"

    # The error message is asked for ("any error message") but not required.
    view = tickets.open_ticket(
        portal,
        actor,
        "coding",
        "Coding",
        "See below",
        invoice_id=invoice_id,
        fields={**given, "error_message": ""},
    )
    detail = tickets.get_ticket(portal, actor, view.id)
    assert [(f.name, f.value) for f in detail.fields] == [
        ("coding_rows", "2"),
        ("wanted_action", "Move to account 4010"),
    ]
    assert all(f.label for f in detail.fields)
    assert detail.ticket.invoice_id == invoice_id
    assert detail.invoice_number == "A-1"


# Every case type, filled in completely: the further fields it asks for.
FILLED: dict[str, dict[str, str]] = {
    "invoice": {},
    "capture_verification": {
        "invoice_number": "A-17",
        "problem": "The VAT amount was read as the total",
        "examples": "A-17, A-18, A-19",
    },
    "coding": {"coding_rows": "1, 3", "wanted_action": "Split row 3", "error_message": "E12"},
    "review_approval": {"coding_rows": "2", "users": "Bo", "error_message": "Not allowed"},
    "automatic_steps": {"transferred": "No", "erp_reference": "V 12, series A, ERP 9912"},
    "administration": {
        "wanted_change": "Give Bo the approve permission",
        "company": "Acme AB",
        "concerns": "Bo, role member",
    },
    "question": {},
}
REQUIRED = [
    (case_type, field.name)
    for case_type, case in CASE_TYPES.items()
    for field in case.fields
    if field.required
]


@pytest.mark.parametrize(("case_type", "missing"), REQUIRED)
def test_each_required_field_is_required(
    portal: Portal, world: World, case_type: str, missing: str
) -> None:
    actor = world.acme_member.actor
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    fields = {k: v for k, v in FILLED[case_type].items() if k != missing}
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(
            portal,
            actor,
            case_type,
            "Subject",
            "Body",
            invoice_id=None if missing == "invoice_id" else invoice_id,
            fields=fields,
        )
    assert excinfo.value.field == (missing if missing == "invoice_id" else f"fields.{missing}")
    assert tickets.list_tickets(portal, actor) == []


@pytest.mark.parametrize("case_type", list(CASE_TYPES))
def test_each_case_type_filled_in_is_opened(portal: Portal, world: World, case_type: str) -> None:
    actor = world.acme_member.actor
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    asks_invoice = any(f.name == "invoice_id" for f in CASE_TYPES[case_type].fields)
    view = tickets.open_ticket(
        portal,
        actor,
        case_type,
        "Subject",
        "Body",
        invoice_id=invoice_id if asks_invoice else None,
        fields=FILLED[case_type],
    )
    detail = tickets.get_ticket(portal, actor, view.id)
    assert detail.ticket.case_type == case_type
    assert {f.name: f.value for f in detail.fields} == FILLED[case_type]


def test_capture_verification_needs_the_invoice_number_or_id(portal: Portal, world: World) -> None:
    actor = world.acme_member.actor
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    without = {k: v for k, v in FILLED["capture_verification"].items() if k != "invoice_number"}
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, actor, "capture_verification", "S", "B", fields=without)
    assert excinfo.value.field == "fields.invoice_number"
    by_id = tickets.open_ticket(
        portal, actor, "capture_verification", "S", "B", invoice_id=invoice_id, fields=without
    )
    assert by_id.invoice_id == invoice_id
    by_number = tickets.open_ticket(
        portal, actor, "capture_verification", "S", "B", fields=FILLED["capture_verification"]
    )
    assert by_number.invoice_id is None


def test_at_most_five_example_invoices(portal: Portal, world: World) -> None:
    actor = world.acme_member.actor
    fields = dict(FILLED["capture_verification"])
    fields["examples"] = "A-1, A-2; A-3\nA-4 A-5 A-6"
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, actor, "capture_verification", "S", "B", fields=fields)
    assert excinfo.value.field == "fields.examples"
    assert excinfo.value.params["max"] == 5
    fields["examples"] = "A-1, A-2; A-3\nA-4 A-5"
    tickets.open_ticket(portal, actor, "capture_verification", "S", "B", fields=fields)


def test_fields_the_case_type_does_not_ask_for_are_a_programming_error(
    portal: Portal, world: World
) -> None:
    with pytest.raises(TypeError):
        tickets.open_ticket(
            portal, world.acme_member.actor, "question", "S", "B", fields={"colour": "red"}
        )


def test_invoice_case_needs_an_invoice(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(portal, world.acme_member.actor, "invoice", "Wrong VAT", "Why?")
    assert excinfo.value.field == "invoice_id"
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


def test_invoice_may_be_one_the_company_sent_or_received(portal: Portal, world: World) -> None:
    acme, bakker = world.acme_admin.company_id, world.bakker_admin.company_id
    sent = add_invoice(portal, acme, bakker, "A-1")
    received = add_invoice(portal, bakker, acme, "B-1")
    for invoice_id in (sent, received):
        view = tickets.open_ticket(
            portal, world.acme_member.actor, "invoice", "Wrong VAT", "Why?", invoice_id=invoice_id
        )
        assert view.invoice_id == invoice_id


def test_other_companies_invoices_are_not_found(portal: Portal, world: World) -> None:
    bakker = world.bakker_admin.company_id
    theirs = add_invoice(portal, bakker, None, "B-2")
    for invoice_id in (theirs, theirs + 1000):
        with pytest.raises(NotFound) as excinfo:
            tickets.open_ticket(
                portal, world.acme_member.actor, "invoice", "S", "B", invoice_id=invoice_id
            )
        assert excinfo.value.field == "invoice_id"
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


def test_a_case_cannot_hold_an_invoice_that_may_still_be_deleted(
    portal: Portal, world: World
) -> None:
    """A draft (or one awaiting approval, which can go back to draft) may be deleted, which a
    case pointing at it would block with a database error."""
    acme, bakker = world.acme_admin.company_id, world.bakker_admin.company_id
    admin = world.acme_admin.actor
    customer = add_customer_link(portal, acme, bakker)
    draft = invoices.create_invoice(portal, admin, sample_invoice(), customer_id=customer)
    waiting = invoices.create_invoice(portal, admin, sample_invoice(), customer_id=customer)
    invoices.submit_invoice(portal, admin, waiting)
    for invoice_id in (draft, waiting):
        with pytest.raises(ValidationError) as excinfo:
            tickets.open_ticket(portal, admin, "invoice", "S", "B", invoice_id=invoice_id)
        assert excinfo.value.field == "invoice_id"
    assert tickets.list_tickets(portal, admin) == []
    invoices.return_to_draft(portal, admin, waiting)
    invoices.delete_draft(portal, admin, waiting)
    invoices.delete_draft(portal, admin, draft)


def test_the_command_line_cannot_open_a_case(portal: Portal, world: World) -> None:
    with pytest.raises(PermissionDenied):
        tickets.open_ticket(portal, SYSTEM, "question", "S", "B")


# --- attachments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("\x1b[31mred\x1b[0m.txt", "red.txt"),
        ("\x1b]0;title\x07note.txt", "note.txt"),
        ("bell\x07\x00\r\n.png", "bell.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ('what?<>:"|*.csv', "what_______.csv"),
        ("..", "attachment"),
        ("../", "attachment"),
        (".bashrc", "bashrc"),
        ("", "attachment"),
    ],
)
def test_hostile_file_names_are_cleaned(
    portal: Portal, world: World, given: str, stored: str
) -> None:
    view = _open(portal, world.acme_member, attachments=[(given, "text/plain", b"x")])
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    [attachment] = detail.messages[0].attachments
    assert attachment.filename == stored


def test_long_file_names_are_cut_to_200_keeping_the_extension(portal: Portal, world: World) -> None:
    view = _open(portal, world.acme_member, attachments=[("a" * 300 + ".pdf", "x", b"%PDF")])
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    name = detail.messages[0].attachments[0].filename
    assert len(name) == 200
    assert name.endswith("a.pdf")


def test_attachment_round_trip_and_sizes(portal: Portal, world: World) -> None:
    csv = ("rows.csv", "text/csv; charset=utf-8", b"a;b\n1;2\n")
    odd = ("blob", "not a mime type", b"\x00\x01")
    view = _open(portal, world.acme_member, attachments=[PNG, csv, odd])
    detail = tickets.get_ticket(portal, world.acme_admin.actor, view.id)
    infos = detail.messages[0].attachments
    assert [(a.filename, a.mime_type, a.size) for a in infos] == [
        ("screen.png", "image/png", len(PNG[2])),
        ("rows.csv", "text/csv", 8),
        ("blob", "application/octet-stream", 2),
    ]
    assert not hasattr(infos[0], "content")
    filename, mime, content = tickets.get_ticket_attachment(
        portal, world.acme_admin.actor, infos[1].id
    )
    assert (filename, mime, content) == ("rows.csv", "text/csv", b"a;b\n1;2\n")


def test_at_most_five_attachments_per_message(portal: Portal, world: World) -> None:
    five = [(f"{i}.png", "image/png", b"x") for i in range(5)]
    view = _open(portal, world.acme_member, attachments=five)
    with pytest.raises(ValidationError) as excinfo:
        tickets.reply_ticket(
            portal, world.acme_member.actor, view.id, "more", attachments=[*five, PNG]
        )
    assert excinfo.value.field == "attachments"
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    assert len(detail.messages) == 1
    assert len(detail.messages[0].attachments) == 5


def test_at_most_10_mib_per_attachment(portal: Portal, world: World) -> None:
    exactly = ("big.bin", "application/octet-stream", b"\0" * MAX_ATTACHMENT_BYTES)
    view = _open(portal, world.acme_member, attachments=[exactly])
    too_big = ("huge.bin", "application/octet-stream", b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError) as excinfo:
        tickets.reply_ticket(portal, world.acme_member.actor, view.id, "b", attachments=[too_big])
    assert excinfo.value.field == "attachments"
    assert excinfo.value.params["name"] == "huge.bin"
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    assert detail.messages[0].attachments[0].size == MAX_ATTACHMENT_BYTES


def test_other_companies_cannot_read_attachments(portal: Portal, world: World) -> None:
    view = _open(portal, world.acme_member, attachments=[PNG])
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    attachment_id = detail.messages[0].attachments[0].id
    for outsider in (world.bakker_admin, world.bakker_member):
        with pytest.raises(NotFound):
            tickets.get_ticket_attachment(portal, outsider.actor, attachment_id)
    with pytest.raises(NotFound):
        tickets.get_ticket_attachment(portal, world.acme_member.actor, attachment_id + 1000)


# --- replies and states -------------------------------------------------------------------


def test_support_answers_and_the_customer_replies(
    portal: Portal, world: World, support: Member
) -> None:
    ticket_id = _open(portal, world.acme_member).id
    same = tickets.reply_ticket(portal, world.acme_admin.actor, ticket_id, "Also this")
    assert same.state is TicketState.OPEN

    answered = tickets.reply_ticket(
        portal, support.actor, ticket_id, "Try again", attachments=[PNG]
    )
    assert answered.state is TicketState.ANSWERED
    assert tickets.reply_ticket(portal, support.actor, ticket_id, "Or this").state is (
        TicketState.ANSWERED
    )

    reopened = tickets.reply_ticket(portal, world.acme_member.actor, ticket_id, "Still broken")
    assert reopened.state is TicketState.OPEN

    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    assert [(m.author_name, m.by_support, m.body) for m in detail.messages] == [
        ("Bo", False, "Please help"),
        ("Anna", False, "Also this"),
        ("Sara", True, "Try again"),
        ("Sara", True, "Or this"),
        ("Bo", False, "Still broken"),
    ]
    assert [a.filename for a in detail.messages[2].attachments] == ["screen.png"]


def test_other_companies_cannot_reply_or_see(portal: Portal, world: World) -> None:
    ticket_id = _open(portal, world.acme_member).id
    for outsider in (world.bakker_admin, world.bakker_member):
        with pytest.raises(NotFound):
            tickets.reply_ticket(portal, outsider.actor, ticket_id, "Hi")
        with pytest.raises(NotFound):
            tickets.get_ticket(portal, outsider.actor, ticket_id)
        with pytest.raises(NotFound):
            tickets.close_ticket(portal, outsider.actor, ticket_id)
    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    assert len(detail.messages) == 1
    assert detail.ticket.state is TicketState.OPEN


def test_closed_case_takes_no_replies_until_reopened(portal: Portal, world: World) -> None:
    ticket_id = _open(portal, world.acme_member).id
    assert tickets.close_ticket(portal, world.acme_admin.actor, ticket_id).state is (
        TicketState.CLOSED
    )
    with pytest.raises(ValidationError) as excinfo:
        tickets.reply_ticket(portal, world.acme_member.actor, ticket_id, "One more thing")
    assert "Reopen" in excinfo.value.message

    assert tickets.reopen_ticket(portal, world.acme_member.actor, ticket_id).state is (
        TicketState.OPEN
    )
    tickets.reply_ticket(portal, world.acme_member.actor, ticket_id, "One more thing")
    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    assert [m.body for m in detail.messages] == ["Please help", "One more thing"]


def test_closing_twice_changes_nothing_and_is_audited_once(portal: Portal, world: World) -> None:
    ticket_id = _open(portal, world.acme_member).id
    tickets.close_ticket(portal, world.acme_member.actor, ticket_id)
    assert tickets.close_ticket(portal, world.acme_member.actor, ticket_id).state is (
        TicketState.CLOSED
    )
    events = audit.list_audit_events(
        portal, world.acme_admin.actor, world.acme_admin.company_id, action="ticket_closed"
    )
    assert len(events) == 1


def test_an_answered_case_can_be_reopened(portal: Portal, world: World, support: Member) -> None:
    ticket_id = _open(portal, world.acme_member).id
    tickets.reply_ticket(portal, support.actor, ticket_id, "Done")
    assert tickets.reopen_ticket(portal, world.acme_member.actor, ticket_id).state is (
        TicketState.OPEN
    )


def test_staff_close_and_reopen_any_companys_case(
    portal: Portal, world: World, support: Member
) -> None:
    ticket_id = _open(portal, world.bakker_member).id
    assert tickets.close_ticket(portal, support.actor, ticket_id).state is TicketState.CLOSED
    assert tickets.reopen_ticket(portal, support.actor, ticket_id).state is TicketState.OPEN
    events = audit.list_audit_events(
        portal, world.bakker_admin.actor, world.bakker_admin.company_id, action="ticket_reopened"
    )
    assert [(e.actor_user_id, e.subject) for e in events] == [
        (support.user_id, f"ticket:{ticket_id}")
    ]


# --- lists --------------------------------------------------------------------------------


def test_lists_are_per_company_most_recent_first(
    portal: Portal, world: World, support: Member, clock: list[datetime]
) -> None:
    first = _open(portal, world.acme_member, "first").id
    second = _open(portal, world.acme_admin, "second").id
    bakker = _open(portal, world.bakker_member, "bakker").id
    tickets.reply_ticket(portal, world.acme_member.actor, first, "bump")

    acme_list = tickets.list_tickets(portal, world.acme_member.actor)
    assert [t.id for t in acme_list] == [first, second]
    assert [t.id for t in tickets.list_tickets(portal, world.bakker_admin.actor)] == [bakker]

    everything = tickets.list_tickets(portal, support.actor)
    assert [t.id for t in everything] == [first, bakker, second]
    assert {t.company_name for t in everything} == {"Acme AB", "Bakker BV"}
    only_bakker = tickets.list_tickets(
        portal, support.actor, company_id=world.bakker_admin.company_id
    )
    assert [t.id for t in only_bakker] == [bakker]


def test_list_filters_by_state(portal: Portal, world: World, support: Member) -> None:
    a = _open(portal, world.acme_member, "a").id
    b = _open(portal, world.acme_member, "b").id
    c = _open(portal, world.acme_member, "c").id
    tickets.reply_ticket(portal, support.actor, b, "answer")
    tickets.close_ticket(portal, world.acme_member.actor, c)
    actor = world.acme_member.actor
    assert [t.id for t in tickets.list_tickets(portal, actor, state=TicketState.OPEN)] == [a]
    assert [t.id for t in tickets.list_tickets(portal, actor, state=TicketState.ANSWERED)] == [b]
    assert [t.id for t in tickets.list_tickets(portal, actor, state=TicketState.CLOSED)] == [c]


def test_members_may_not_list_another_company(portal: Portal, world: World) -> None:
    _open(portal, world.bakker_member)
    with pytest.raises(NotFound):
        tickets.list_tickets(
            portal, world.acme_admin.actor, company_id=world.bakker_admin.company_id
        )
    own = tickets.list_tickets(
        portal, world.acme_admin.actor, company_id=world.acme_admin.company_id
    )
    assert own == []


# --- attachments from the user's SFTP /upload/ ----------------------------------------------


def _upload(portal: Portal, who: Member, name: str, content: bytes) -> None:
    files = UserFiles.from_settings(portal.settings, who.user_id)
    (files.upload / name).write_bytes(content)


def test_files_from_upload_are_attached_and_stay_there(portal: Portal, world: World) -> None:
    _upload(portal, world.acme_member, "error.png", PNG[2])
    _upload(portal, world.acme_member, "rows.csv", b"a;b\n")
    view = _open(portal, world.acme_member, upload_names=["error.png", "rows.csv"])
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    infos = detail.messages[0].attachments
    assert [(a.filename, a.mime_type, a.size) for a in infos] == [
        ("error.png", "image/png", len(PNG[2])),
        ("rows.csv", "text/csv", 4),
    ]
    assert (
        tickets.get_ticket_attachment(portal, world.acme_admin.actor, infos[0].id).content
        == (PNG[2])
    )
    files = UserFiles.from_settings(portal.settings, world.acme_member.user_id)
    assert [f.name for f in files.list_uploads()] == ["error.png", "rows.csv"]

    _upload(portal, world.acme_member, "more.txt", b"more")
    tickets.reply_ticket(
        portal, world.acme_member.actor, view.id, "Another one", upload_names=["more.txt"]
    )
    detail = tickets.get_ticket(portal, world.acme_member.actor, view.id)
    assert [a.filename for a in detail.messages[1].attachments] == ["more.txt"]


@pytest.mark.parametrize("name", ["missing.png", "../portal.db", ".hidden", "link.png"])
def test_only_own_regular_upload_files_can_be_attached(
    portal: Portal, world: World, name: str
) -> None:
    # Another user's upload, a file outside the area and a symlink are all "no such file".
    _upload(portal, world.bakker_member, "missing.png", PNG[2])
    files = UserFiles.from_settings(portal.settings, world.acme_member.user_id)
    (files.upload / "link.png").symlink_to(portal.settings.data_dir / "secret")
    (portal.settings.data_dir / "secret").write_bytes(b"secret")
    with pytest.raises(ValidationError) as excinfo:
        _open(portal, world.acme_member, upload_names=[name])
    assert excinfo.value.field == "attachments"
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


def test_too_large_uploads_are_named(portal: Portal, world: World) -> None:
    _upload(portal, world.acme_member, "big.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError) as excinfo:
        _open(portal, world.acme_member, upload_names=["big.bin"])
    assert (excinfo.value.field, excinfo.value.params["name"]) == ("attachments", "big.bin")
    # Beyond the upload area's own limit the file is not even read.
    portal.settings = replace(portal.settings, upload_max_bytes=10)
    _upload(portal, world.acme_member, "eleven.txt", b"x" * 11)
    with pytest.raises(ValidationError) as excinfo:
        _open(portal, world.acme_member, upload_names=["eleven.txt"])
    assert (excinfo.value.field, excinfo.value.params["name"]) == ("attachments", "eleven.txt")
    assert tickets.list_tickets(portal, world.acme_member.actor) == []


def test_at_most_five_attachments_counting_uploads(portal: Portal, world: World) -> None:
    for i in range(5):
        _upload(portal, world.acme_member, f"{i}.png", b"x")
    with pytest.raises(ValidationError) as excinfo:
        _open(
            portal,
            world.acme_member,
            attachments=[PNG],
            upload_names=[f"{i}.png" for i in range(5)],
        )
    assert excinfo.value.field == "attachments"
    view = _open(portal, world.acme_member, upload_names=[f"{i}.png" for i in range(5)])
    assert (
        len(tickets.get_ticket(portal, world.acme_member.actor, view.id).messages[0].attachments)
        == 5
    )


# --- support staff: answer, status, the linked invoice --------------------------------------


def test_support_answer_tells_who_to_mail(portal: Portal, world: World, support: Member) -> None:
    accounts.update_profile(portal, world.acme_member.actor, language="sv")
    ticket_id = _open(portal, world.acme_member).id
    tickets.reply_ticket(portal, world.acme_admin.actor, ticket_id, "Me too")

    answer = tickets.answer_ticket(portal, support.actor, ticket_id, "Try \x1b[31magain\n  now")
    assert answer.ticket.state is TicketState.ANSWERED
    assert answer.answer == "Try again\n  now"
    # The one who opened the case is told, in their language.
    assert answer.notify == tickets.Recipient("bo@acme.se", "Bo", "sv")
    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    assert [(m.author_name, m.by_support) for m in detail.messages][-1] == ("Sara", True)

    closed = tickets.answer_ticket(
        portal, support.actor, ticket_id, "Solved.", state=TicketState.CLOSED
    )
    assert closed.ticket.state is TicketState.CLOSED
    with pytest.raises(ValidationError):
        tickets.answer_ticket(portal, support.actor, ticket_id, "Once more")


def test_no_mail_for_a_deactivated_user(portal: Portal, world: World, support: Member) -> None:
    ticket_id = _open(portal, world.acme_member).id
    with portal.sessions.begin() as session:
        session.get(User, world.acme_member.user_id).active = False
    assert tickets.answer_ticket(portal, support.actor, ticket_id, "Hello").notify is None


def test_only_support_staff_answer_set_states_and_see_the_invoice(
    portal: Portal, world: World, support: Member
) -> None:
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    ticket_id = _open(portal, world.acme_member, invoice_id=invoice_id).id
    for user in (world.acme_admin, world.acme_member, world.bakker_admin):
        with pytest.raises(PermissionDenied):
            tickets.answer_ticket(portal, user.actor, ticket_id, "I am support")
        with pytest.raises(PermissionDenied):
            tickets.set_ticket_state(portal, user.actor, ticket_id, TicketState.ANSWERED)
        with pytest.raises(PermissionDenied):
            tickets.get_ticket_invoice(portal, user.actor, ticket_id)
    # The command line is a portal admin, but an answer needs a person who wrote it.
    with pytest.raises(PermissionDenied):
        tickets.answer_ticket(portal, SYSTEM, ticket_id, "Hi")
    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    assert len(detail.messages) == 1
    assert detail.ticket.state is TicketState.OPEN


def test_support_sets_the_state_as_the_state_machine_allows(
    portal: Portal, world: World, support: Member
) -> None:
    ticket_id = _open(portal, world.bakker_member).id
    view = tickets.set_ticket_state(portal, support.actor, ticket_id, TicketState.ANSWERED)
    assert view.state is TicketState.ANSWERED
    assert tickets.set_ticket_state(portal, support.actor, ticket_id, "closed").state is (
        TicketState.CLOSED
    )
    with pytest.raises(TransitionError):
        tickets.set_ticket_state(portal, support.actor, ticket_id, TicketState.ANSWERED)
    events = audit.list_audit_events(
        portal, world.bakker_admin.actor, world.bakker_admin.company_id
    )
    assert [e.action for e in events][:2] == ["ticket_closed", "ticket_answered"]


def test_support_sees_a_summary_of_the_linked_invoice(
    portal: Portal, world: World, support: Member
) -> None:
    acme, bakker = world.acme_admin.company_id, world.bakker_admin.company_id
    customer = add_customer_link(portal, acme, bakker)
    invoice_id = invoices.create_invoice(
        portal, world.acme_admin.actor, sample_invoice(), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_admin.actor, invoice_id)
    invoices.approve_invoices(portal, world.acme_admin.actor, [invoice_id])
    ticket_id = tickets.open_ticket(
        portal, world.acme_member.actor, "invoice", "Wrong VAT", "Why?", invoice_id=invoice_id
    ).id
    summary = tickets.get_ticket_invoice(portal, support.actor, ticket_id)
    assert summary is not None
    detail = invoices.get_invoice(portal, world.acme_admin.actor, invoice_id)
    assert summary.id == invoice_id
    assert summary.state is detail.state
    assert summary.currency == detail.invoice.currency
    assert summary.payable_amount == detail.totals.payable
    assert summary.tax_amount == detail.totals.tax_total
    assert [(line.name, line.net_amount) for line in summary.lines] == [
        (line.name, amount)
        for line, amount in zip(detail.invoice.lines, detail.totals.line_net_amounts, strict=True)
    ]
    no_invoice = _open(portal, world.acme_member).id
    assert tickets.get_ticket_invoice(portal, support.actor, no_invoice) is None


# --- the answer mail ------------------------------------------------------------------------


def _plain(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def test_answer_mail_is_in_the_recipients_language(portal: Portal, world: World) -> None:
    view = _open(portal, world.acme_member, "Faktura saknas")
    recipient = tickets.Recipient("bo@acme.se", "Bo", "sv")
    mail = answer_mail(
        recipient,
        view,
        "Line one\nLine two",
        ssh_host="portal.example",
        ssh_port=2222,
        sender="Invoice Portal <noreply@portal.example>",
    )
    sv = translator("sv")
    assert mail["To"] == "bo@acme.se"
    assert mail["Content-Language"] == "sv"
    assert mail["Subject"] == sv(
        "Support answered your case {number}: {subject}",
        number=f"#{view.id}",
        subject="Faktura saknas",
    )
    body = _plain(mail)
    assert "> Line one\n> Line two" in body
    assert "ssh -p 2222 bo@acme.se@portal.example" in body
    assert sv("The answer:") in body
    html_part = mail.get_body(("html",)).get_content()
    assert "Line one<br>" in html_part


def test_answer_mail_escapes_html_and_refuses_a_crafted_address(
    portal: Portal, world: World
) -> None:
    view = _open(portal, world.acme_member, "<b>bold</b>")
    mail = answer_mail(
        tickets.Recipient("bo@acme.se", "Bo", "en"),
        view,
        "<script>x</script>",
        ssh_host="portal.example",
        ssh_port=2222,
        sender="noreply@portal.example",
    )
    html_part = mail.get_body(("html",)).get_content()
    assert "<script>" not in html_part and "<b>bold" not in html_part
    with pytest.raises(ValidationError):
        answer_mail(
            tickets.Recipient("bo@acme.se, eve@evil.example", "Bo", "en"),
            view,
            "x",
            ssh_host="portal.example",
            ssh_port=2222,
            sender="noreply@portal.example",
        )
