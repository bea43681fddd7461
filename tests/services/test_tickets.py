"""Support cases: opening, case types and their fields, replies, states, attachments, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.db.models import Role
from backend.domain.errors import ValidationError
from backend.domain.states import TicketState
from backend.services import audit, tickets
from backend.services.context import SYSTEM, Portal
from backend.services.errors import NotFound, PermissionDenied
from backend.services.tickets import CASE_TYPES, MAX_ATTACHMENT_BYTES

from .authz_cases_tickets import PNG, add_invoice
from .conftest import Member, World, add_company, add_user


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
    company = add_company(portal, country="SE", org_id="5569999999", name="Portal Support")
    return add_user(portal, company, "sara@support.example", role=Role.SUPPORT)


def _open(portal: Portal, who: Member, subject: str = "Cannot find invoice", **kw: object):
    return tickets.open_ticket(portal, who.actor, "question", subject, "Please help", **kw)


# --- case types ---------------------------------------------------------------------------


def test_case_types_are_ordered_with_labels_and_the_seeds_fields() -> None:
    assert list(CASE_TYPES) == [
        "question",
        "invoice",
        "error",
        "delivery",
        "access",
        "administration",
        "integration",
        "change_request",
    ]
    for label, fields in CASE_TYPES.values():
        assert label
        assert all(name and field_label for name, field_label in fields)
    assert [n for n, _ in CASE_TYPES["error"].fields] == ["error_message", "documents"]
    assert [n for n, _ in CASE_TYPES["invoice"].fields] == ["invoice_id"]


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
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(
            portal, actor, "error", "Upload fails", "See below", fields={"documents": "A-1"}
        )
    assert excinfo.value.field == "fields.error_message"
    # The field's label is a msgid too: it is translated along with the message.
    rendered = excinfo.value.render(lambda s: f"<{s}>")
    assert rendered == "<Please fill in “<What does the error message say?>”.>"
    with pytest.raises(ValidationError) as excinfo:
        tickets.open_ticket(
            portal,
            actor,
            "error",
            "Upload fails",
            "See below",
            fields={"error_message": "BR-CO-10", "documents": "  "},
        )
    assert excinfo.value.field == "fields.documents"

    view = tickets.open_ticket(
        portal,
        actor,
        "error",
        "Upload fails",
        "See below",
        fields={"documents": "A-1, A-2", "error_message": "BR-CO-10 sum of lines"},
    )
    detail = tickets.get_ticket(portal, actor, view.id)
    assert [(f.name, f.value) for f in detail.fields] == [
        ("error_message", "BR-CO-10 sum of lines"),
        ("documents", "A-1, A-2"),
    ]
    assert all(f.label for f in detail.fields)


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
