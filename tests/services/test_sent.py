"""The read side of sending: the approval queue and the sent documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, update

from backend.db.models import Company, DeliveryChannel, DeliveryEvent, InvoiceAttachment, InvoiceRow
from backend.domain.errors import ValidationError
from backend.domain.states import InvoiceState
from backend.services import invoices, sent
from backend.services.context import Portal
from backend.services.errors import NotFound
from backend.services.sent import SentQuery, SentStatus

from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(portal: Portal) -> None:
    portal.clock = lambda: NOW


def submitted(
    portal: Portal,
    world: World,
    *,
    issued: date = date(2026, 11, 2),
    currency: str = "SEK",
    state: InvoiceState = InvoiceState.READY_FOR_APPROVAL,
    error: str = "",
) -> int:
    """An invoice Acme's member wrote and submitted, then put in ``state`` as the worker would."""
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice = replace(
        sample_invoice(), issue_date=issued, due_date=issued.replace(day=28), currency=currency
    )
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, invoice, customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    if state is not InvoiceState.READY_FOR_APPROVAL or error:
        with portal.sessions.begin() as session:
            session.execute(
                update(InvoiceRow)
                .where(InvoiceRow.id == invoice_id)
                .values(state=state, last_error=error)
            )
    return invoice_id


def add_event(
    portal: Portal, invoice_id: int, state: InvoiceState, detail: str, at: datetime
) -> None:
    with portal.sessions.begin() as session:
        session.add(
            DeliveryEvent(
                invoice_id=invoice_id,
                at=at,
                channel=DeliveryChannel.PORTAL,
                state=state,
                detail=detail,
            )
        )


def add_attachments(portal: Portal, invoice_id: int, count: int) -> None:
    with portal.sessions.begin() as session:
        for n in range(count):
            session.add(
                InvoiceAttachment(
                    invoice_id=invoice_id, document_id=f"A{n}", filename=f"a{n}.pdf", size=10
                )
            )


# --- the queue -------------------------------------------------------------------------------


def test_queue_lists_waiting_invoices_with_customer_amount_channel_and_attachments(
    portal: Portal, world: World
) -> None:
    first = submitted(portal, world)
    second = submitted(portal, world, currency="EUR")
    add_attachments(portal, second, 2)
    submitted(portal, world, state=InvoiceState.APPROVED)  # being sent: not in the queue
    submitted(portal, world, state=InvoiceState.DELIVERED)

    page = sent.queue_page(portal, world.acme_admin.actor)

    assert [r.id for r in page.rows] == [first, second]
    assert page.total == 2 and page.in_flight == 1
    row = page.rows[1]
    assert row.customer == "Bakker BV"
    assert row.amount == Decimal("11875.00") and row.currency == "EUR"
    assert row.channel is DeliveryChannel.PORTAL
    assert row.number
    assert [r.attachments for r in page.rows] == [0, 2]
    assert row.created_by_user_id == world.acme_member.user_id
    assert page.may_approve and not page.four_eyes
    assert page.user_id == world.acme_admin.user_id


def test_queue_says_who_may_approve_and_whether_four_eyes_applies(
    portal: Portal, world: World
) -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(Company).where(Company.id == world.acme_admin.company_id).values(four_eyes=True)
        )
    page = sent.queue_page(portal, world.acme_member.actor)
    assert not page.may_approve and page.four_eyes


def test_queue_of_another_company_is_its_own(portal: Portal, world: World) -> None:
    submitted(portal, world)
    page = sent.queue_page(portal, world.bakker_admin.actor)
    assert page.rows == [] and page.total == 0


def test_queue_reads_a_page_in_a_fixed_number_of_statements(portal: Portal, world: World) -> None:
    def statements_for_queue() -> int:
        count = 0

        def counted(*_args: object) -> None:
            nonlocal count
            count += 1

        event.listen(portal.engine, "before_cursor_execute", counted)
        try:
            sent.queue_page(portal, world.acme_admin.actor)
        finally:
            event.remove(portal.engine, "before_cursor_execute", counted)
        return count

    for _ in range(2):
        add_attachments(portal, submitted(portal, world), 1)
    with_two = statements_for_queue()
    for _ in range(6):
        add_attachments(portal, submitted(portal, world), 1)
    assert statements_for_queue() == with_two


def test_queue_pages(portal: Portal, world: World) -> None:
    ids = [submitted(portal, world) for _ in range(5)]
    page = sent.queue_page(portal, world.acme_admin.actor, page=2, page_size=2)
    assert [r.id for r in page.rows] == ids[2:4]
    assert page.pages == 3
    with pytest.raises(ValidationError):
        sent.queue_page(portal, world.acme_admin.actor, page_size=0)


# --- sent documents --------------------------------------------------------------------------


def test_sent_shows_the_last_90_days_by_default_and_a_wider_range_on_request(
    portal: Portal, world: World
) -> None:
    recent = submitted(portal, world, issued=date(2026, 11, 2), state=InvoiceState.DELIVERED)
    edge = submitted(portal, world, issued=date(2026, 8, 22), state=InvoiceState.DELIVERED)
    old = submitted(portal, world, issued=date(2026, 5, 4), state=InvoiceState.DELIVERED)
    submitted(portal, world, issued=date(2026, 11, 3))  # awaiting approval: not sent yet

    page = sent.list_sent(portal, world.acme_admin.actor, SentQuery())
    assert [r.id for r in page.rows] == [recent, edge]
    assert (page.issued_from, page.issued_to) == (date(2026, 8, 22), date(2026, 11, 20))

    wide = sent.list_sent(portal, world.acme_admin.actor, SentQuery(issued_from=date(2026, 1, 1)))
    assert [r.id for r in wide.rows] == [recent, edge, old]
    assert wide.issued_to is None and wide.total == 3

    with pytest.raises(ValidationError) as refused:
        sent.list_sent(
            portal,
            world.acme_admin.actor,
            SentQuery(issued_from=date(2026, 11, 2), issued_to=date(2026, 11, 1)),
        )
    assert refused.value.field == "issued_from"


def test_sent_filters_by_status_customer_and_number(portal: Portal, world: World) -> None:
    done = submitted(portal, world, state=InvoiceState.DELIVERED)
    failed = submitted(portal, world, state=InvoiceState.FAILED, error="550 no such user")
    queued = submitted(portal, world, state=InvoiceState.APPROVED)
    actor = world.acme_admin.actor

    failed_only = sent.list_sent(portal, actor, SentQuery(status=SentStatus.FAILED))
    assert [r.id for r in failed_only.rows] == [failed]
    assert failed_only.rows[0].last_error == "550 no such user"
    assert failed_only.total == 1
    assert failed_only.status_counts == {
        InvoiceState.DELIVERED: 1,
        InvoiceState.FAILED: 1,
        InvoiceState.APPROVED: 1,
    }
    assert [
        r.id for r in sent.list_sent(portal, actor, SentQuery(status=SentStatus.DONE)).rows
    ] == [done]

    assert sent.list_sent(portal, actor, SentQuery(customer_prefix="bAKK")).total == 3
    assert sent.list_sent(portal, actor, SentQuery(customer_prefix="Acme")).total == 0

    number = sent.list_sent(portal, actor, SentQuery(status=SentStatus.QUEUED)).rows[0].number
    by_number = sent.list_sent(portal, actor, SentQuery(number_prefix=number.lower()))
    assert [r.id for r in by_number.rows] == [queued]


def test_sent_rows_carry_their_last_delivery_event(portal: Portal, world: World) -> None:
    done = submitted(portal, world, state=InvoiceState.DELIVERED)
    quiet = submitted(portal, world, state=InvoiceState.APPROVED)
    add_event(portal, done, InvoiceState.SENDING, "claimed", datetime(2026, 11, 20, 9, tzinfo=UTC))
    add_event(
        portal, done, InvoiceState.DELIVERED, "inbox", datetime(2026, 11, 20, 9, 1, tzinfo=UTC)
    )

    rows = {r.id: r for r in sent.list_sent(portal, world.acme_admin.actor, SentQuery()).rows}

    last = rows[done].last_event
    assert last is not None and last.state is InvoiceState.DELIVERED and last.detail == "inbox"
    assert rows[quiet].last_event is None


def test_sent_pages(portal: Portal, world: World) -> None:
    ids = [
        submitted(portal, world, issued=date(2026, 11, day), state=InvoiceState.DELIVERED)
        for day in range(1, 13)
    ]
    page = sent.list_sent(portal, world.acme_admin.actor, SentQuery(page=2, page_size=10))
    assert [r.id for r in page.rows] == [ids[1], ids[0]]
    assert page.total == 12 and page.pages == 2
    with pytest.raises(ValidationError):
        sent.list_sent(portal, world.acme_admin.actor, SentQuery(page_size=7))


def test_sent_of_another_company_is_its_own(portal: Portal, world: World) -> None:
    submitted(portal, world, state=InvoiceState.DELIVERED)
    assert sent.list_sent(portal, world.bakker_admin.actor, SentQuery()).rows == []


def test_delivery_history_oldest_first_for_own_invoices_only(portal: Portal, world: World) -> None:
    invoice_id = submitted(portal, world, state=InvoiceState.FAILED, error="timeout")
    add_event(
        portal, invoice_id, InvoiceState.FAILED, "timeout", datetime(2026, 11, 20, 10, tzinfo=UTC)
    )
    add_event(
        portal, invoice_id, InvoiceState.SENDING, "claimed", datetime(2026, 11, 20, 9, tzinfo=UTC)
    )

    steps = sent.delivery_history(portal, world.acme_admin.actor, invoice_id)

    assert [(s.state, s.detail) for s in steps] == [
        (InvoiceState.SENDING, "claimed"),
        (InvoiceState.FAILED, "timeout"),
    ]
    assert steps[0].channel is DeliveryChannel.PORTAL
    with pytest.raises(NotFound):
        sent.delivery_history(portal, world.bakker_admin.actor, invoice_id)
