"""Sent documents (F7): the 90-day default, filters, paging, delivery history, retry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from backend.db.models import DeliveryChannel, DeliveryEvent, InvoiceRow
from backend.domain.states import InvoiceState
from backend.i18n import translator
from backend.services.context import Portal
from tests.services.conftest import World
from tui.screens.sent_documents import DeliveryHistoryScreen, SentDocumentsScreen, SentTable
from tui.widgets.translated import TSelect

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .test_send_queue import set_state, submitted_invoice

SIZE = (120, 40)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(portal: Portal) -> None:
    portal.clock = lambda: NOW


def sent_invoice(
    portal: Portal, world: World, issued: date, state: InvoiceState, error: str = ""
) -> int:
    invoice_id = submitted_invoice(portal, world, issued=issued)
    set_state(portal, invoice_id, state, error)
    return invoice_id


def add_event(portal: Portal, invoice_id: int, state: InvoiceState, detail: str) -> None:
    with portal.sessions.begin() as session:
        session.add(
            DeliveryEvent(
                invoice_id=invoice_id,
                at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
                channel=DeliveryChannel.EMAIL,
                state=state,
                detail=detail,
            )
        )


async def open_sent(pilot: Pilot) -> SentDocumentsScreen:
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SentDocumentsScreen)
    return screen


def shown_numbers(screen: SentDocumentsScreen) -> list[str]:
    table = screen.query_one("#sent-table", SentTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def number_of(portal: Portal, invoice_id: int) -> str:
    with portal.sessions() as session:
        return session.scalar(select(InvoiceRow.number).where(InvoiceRow.id == invoice_id)) or ""


async def refilter(pilot: Pilot, screen: SentDocumentsScreen, input_id: str, text: str) -> None:
    field = screen.query_one(f"#{input_id}", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_last_90_days_by_default_and_older_ones_on_a_wider_range(
    make_app: AppFactory, world: World, portal: Portal
):
    recent = sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.DELIVERED)
    old = sent_invoice(portal, world, date(2026, 5, 4), InvoiceState.DELIVERED)
    sent_invoice(portal, world, date(2026, 11, 3), InvoiceState.READY_FOR_APPROVAL)  # not sent
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sent(pilot)
        assert screen.query_one("#sent-from", Input).value == "2026-08-22"
        assert screen.query_one("#sent-to", Input).value == "2026-11-20"
        assert shown_numbers(screen) == [number_of(portal, recent)]
        text = screen_text(app)
        assert "1 sent invoice · page 1 of 1" in text
        assert "Done" in text and "SEK11,875.00" in text and "Bakker BV" in text

        await refilter(pilot, screen, "sent-from", "2026-01-01")
        assert shown_numbers(screen) == [number_of(portal, recent), number_of(portal, old)]
        assert "2 sent invoices" in screen_text(app)

        await refilter(pilot, screen, "sent-from", "not a date")
        assert "is not a date" in screen_text(app)


async def test_status_customer_and_number_filters(
    make_app: AppFactory, world: World, portal: Portal
):
    done = sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.DELIVERED)
    failed = sent_invoice(portal, world, date(2026, 11, 3), InvoiceState.FAILED, "550 no user")
    queued = sent_invoice(portal, world, date(2026, 11, 4), InvoiceState.APPROVED)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sent(pilot)
        assert len(shown_numbers(screen)) == 3
        status = screen.query_one("#sent-status", TSelect)
        status.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "enter")  # Failed
        await settle(pilot)
        assert shown_numbers(screen) == [number_of(portal, failed)]
        assert "Failed" in screen_text(app)

        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("up", "up", "up", "up", "enter")  # back to all statuses
        await settle(pilot)
        await refilter(pilot, screen, "sent-number", number_of(portal, queued))
        assert shown_numbers(screen) == [number_of(portal, queued)]
        assert "Queued" in screen_text(app)

        await refilter(pilot, screen, "sent-number", "")
        await refilter(pilot, screen, "sent-customer", "bakk")
        assert len(shown_numbers(screen)) == 3
        await refilter(pilot, screen, "sent-customer", "Acme")
        assert shown_numbers(screen) == []
    assert done  # delivered ones are listed with the others above


async def test_pages_of_25(make_app: AppFactory, world: World, portal: Portal):
    for day in range(1, 31):
        sent_invoice(portal, world, date(2026, 10, day), InvoiceState.DELIVERED)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sent(pilot)
        assert "30 sent invoices · page 1 of 2" in screen_text(app)
        assert len(shown_numbers(screen)) == 25
        assert "n Next page" in screen_text(app).splitlines()[-1]
        await pilot.press("n")
        await settle(pilot)
        assert "page 2 of 2" in screen_text(app)
        assert len(shown_numbers(screen)) == 5
        await pilot.press("p")
        await settle(pilot)
        assert "page 1 of 2" in screen_text(app)


async def test_enter_shows_the_delivery_history_with_outside_text_inert(
    make_app: AppFactory, world: World, portal: Portal
):
    invoice_id = sent_invoice(
        portal, world, date(2026, 11, 2), InvoiceState.FAILED, "550 [b]no[/b] such user"
    )
    add_event(portal, invoice_id, InvoiceState.SENDING, "claimed: 1")
    add_event(portal, invoice_id, InvoiceState.FAILED, "failed: 550 [b]no[/b] such user")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_sent(pilot)
        assert "Delivery failed: 550 [b]no[/b] such user" in screen_text(app)  # last event
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DeliveryHistoryScreen)
        text = screen_text(app)
        assert "Failed: 550 [b]no[/b] such user" in text
        assert "Sending, attempt 1" in text
        assert translator("en").datetime(datetime(2026, 11, 20, 9, 30, tzinfo=UTC)) in text
        assert "E-mail" in text
        rows = app.screen.query_one("#history-table", DataTable).row_count
        assert rows == 2
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SentDocumentsScreen)


async def test_r_queues_a_failed_invoice_again(make_app: AppFactory, world: World, portal: Portal):
    sent_invoice(portal, world, date(2026, 11, 3), InvoiceState.DELIVERED)
    failed = sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.FAILED, "550 no user")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sent(pilot)
        assert "Send again" not in screen_text(app).splitlines()[-1]  # a delivered one
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()
        assert "r Send again" in screen_text(app).splitlines()[-1]
        await pilot.press("r")
        await settle(pilot)
        table = screen.query_one("#sent-table", SentTable)
        assert str(table.get_row_at(1)[0]) == "Queued"
    with portal.sessions() as session:
        row = session.get(InvoiceRow, failed)
        assert row is not None and row.state is InvoiceState.APPROVED
        assert [e.detail for e in row.deliveries][-1].startswith("requeued: anna@acme.se")


async def test_only_approvers_may_send_again(make_app: AppFactory, world: World, portal: Portal):
    failed = sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.FAILED, "550 no user")
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_sent(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "You may not approve invoices." in screen_text(app)
    with portal.sessions() as session:
        assert session.get(InvoiceRow, failed).state is InvoiceState.FAILED  # type: ignore[union-attr]


async def test_every_text_is_translated_and_follows_a_language_switch(
    make_app: AppFactory, world: World, portal: Portal
):
    sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.DELIVERED)
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_sent(pilot)
        await pilot.press("f2", "down", "down", "enter")  # Svenska
        await settle(pilot)
        text = screen_text(app)
        for msg in ("From", "To", "All statuses", "Customer starts with…", "Number starts with…"):
            assert f"[sv]{msg}" in text
        for heading in ("Status", "Issue date", "Number", "Customer", "Amount", "Last event"):
            assert f"[sv]{heading}" in text
        assert "[sv]Done" in text and "[sv]1 sent invoice" in text
        assert "[sv]Sent documents" in text.splitlines()[0]
        assert "2026-11-02" in text  # the Swedish short date
