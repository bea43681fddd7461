"""Approve and send (F6): marking, the one confirmation, approval, live progress, four-eyes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import ProgressBar

from backend.db.models import Company, InvoiceRow
from backend.delivery.render import RenderPool
from backend.delivery.worker import DeliveryWorker, LoginLine
from backend.domain.states import InvoiceState
from backend.i18n import translator
from backend.services import accounts, invoices
from backend.services.context import Portal
from tests.services.conftest import Member, World
from tests.services.invoice_factory import add_customer_link, sample_invoice
from tui.screens.send_queue import ApproveConfirmScreen, QueueInvoiceScreen, SendQueueScreen
from tui.widgets.mark_table import MarkTable

from .conftest import AppFactory
from .helpers import screen_text, settle

SIZE = (120, 40)


def submitted_invoice(
    portal: Portal,
    world: World,
    *,
    writer: Member | None = None,
    currency: str = "SEK",
    price: str = "950.00",
    issued: date = date(2026, 11, 2),
) -> int:
    """An invoice from Acme to Bakker (portal inbox), written by ``writer`` (Acme's member by
    default) and waiting for approval."""
    writer = writer or world.acme_member
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    base = sample_invoice()
    invoice = replace(
        base,
        currency=currency,
        issue_date=issued,
        due_date=issued + timedelta(days=30),
        lines=[replace(base.lines[0], net_price=Decimal(price))],
    )
    invoice_id = invoices.create_invoice(portal, writer.actor, invoice, customer_id=customer)
    invoices.submit_invoice(portal, writer.actor, invoice_id)
    return invoice_id


def states(portal: Portal, ids: list[int]) -> list[InvoiceState]:
    with portal.sessions() as session:
        found = dict(
            session.execute(
                select(InvoiceRow.id, InvoiceRow.state).where(InvoiceRow.id.in_(ids))
            ).all()
        )
    return [found[i] for i in ids]


def set_state(portal: Portal, invoice_id: int, state: InvoiceState, error: str = "") -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .values(state=state, last_error=error)
        )


async def until(pilot: Pilot, condition: Callable[[], bool], tries: int = 100) -> None:
    """Let the app run until ``condition`` holds (polling screens update on their own)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.1)


async def open_queue(pilot: Pilot) -> SendQueueScreen:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SendQueueScreen)
    return screen


def table(screen: SendQueueScreen) -> MarkTable:
    return screen.query_one("#queue-table", MarkTable)


async def test_queue_lists_waiting_invoices(make_app: AppFactory, world: World, portal: Portal):
    first = submitted_invoice(portal, world)
    submitted_invoice(portal, world, currency="EUR", price="100.00")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        text = screen_text(app)
        assert "2 invoices waiting for approval" in text
        for heading in ("Number", "Customer", "Amount", "Currency", "Channel", "Attachments"):
            assert heading in text
        assert "11,875.00" in text and "1,250.00" in text and "EUR" in text
        assert "Portal inbox" in text and "Bakker BV" in text
        assert table(screen).keys[0] == first


async def test_marking_with_space_a_and_a_shift_range(
    make_app: AppFactory, world: World, portal: Portal
):
    ids = [submitted_invoice(portal, world) for _ in range(4)]
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        marks = table(screen)
        await pilot.press("space")
        assert marks.marked == [ids[0]]
        await pilot.press("space")  # again: unmarked
        assert marks.marked == []
        await pilot.press("down", "shift+down", "shift+down")
        assert marks.marked == ids[1:4]
        await pilot.pause()
        assert "3 marked" in screen_text(app)
        assert screen_text(app).count("[x]") == 3
        await pilot.press("a")
        assert marks.marked == ids
        await pilot.press("a")  # all were marked: none now
        assert marks.marked == []
        await pilot.press("shift+up")
        assert marks.marked == ids[2:4]


async def test_confirmation_shows_count_and_totals_per_currency_in_the_users_language(
    make_app: AppFactory, world: World, portal: Portal
):
    ids = [
        submitted_invoice(portal, world, price="960.00"),  # 12 000,00 SEK with VAT
        submitted_invoice(portal, world, price="40.00"),  # 500,00 SEK
        submitted_invoice(portal, world, currency="EUR", price="36.00"),  # 450,00 EUR
    ]
    accounts.update_profile(portal, world.acme_admin.actor, language="sv")
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("a", "ctrl+a")
        await settle(pilot)
        assert isinstance(app.screen, ApproveConfirmScreen)
        sv = translator("sv")
        totals = f"{sv.money(Decimal('12500.00'), 'SEK')}, {sv.money(Decimal('450.00'), 'EUR')}"
        assert totals.replace("\xa0", " ") == "12 500,00 kr, 450,00 €"
        assert f"[sv]3 invoices: {totals}" in screen_text(app)
        await pilot.press("escape")  # cancelled: nothing approved
        await settle(pilot)
        assert isinstance(app.screen, SendQueueScreen)
    assert states(portal, ids) == [InvoiceState.READY_FOR_APPROVAL] * 3


async def test_approving_sends_and_the_progress_follows_the_worker_to_final_states(
    make_app: AppFactory, world: World, portal: Portal
):
    ids = [submitted_invoice(portal, world) for _ in range(3)]
    waiting = submitted_invoice(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("space", "down", "space", "down", "space", "ctrl+a")
        await settle(pilot)
        assert isinstance(app.screen, ApproveConfirmScreen)
        await pilot.press("enter")  # the focused "Approve and send"
        await settle(pilot)
        assert states(portal, ids) == [InvoiceState.APPROVED] * 3
        assert states(portal, [waiting]) == [InvoiceState.READY_FOR_APPROVAL]
        text = screen_text(app)
        assert text.count("Approved, queued for sending") == 3
        assert "Sent 0 of 3" in text
        assert table(screen).keys == [waiting]  # the approved ones left the queue

        # The delivery worker (its own process in production) delivers two; one has failed.
        set_state(portal, ids[2], InvoiceState.FAILED, "550 5.1.1 mailbox unknown")
        worker = DeliveryWorker(
            portal, login=LoginLine("portal.example", 2222), render=RenderPool(0), lanes=1
        )
        assert await worker.run(once=True) == 2

        bar = screen.query_one("#progress-bar", ProgressBar)
        await until(pilot, lambda: "Sent 3 of 3" in screen_text(app))
        await settle(pilot)
        text = screen_text(app)
        assert bar.progress == 3 and bar.total == 3
        assert text.count("Delivered") == 2
        assert "Failed: 550 5.1.1 mailbox unknown" in text
        assert "Sent 3 of 3: 2 delivered, 1 failed, 0 not approved" in text
    assert states(portal, ids) == [InvoiceState.DELIVERED] * 2 + [InvoiceState.FAILED]


async def test_the_invoice_under_the_cursor_is_approved_when_none_is_marked(
    make_app: AppFactory, world: World, portal: Portal
):
    first, second = submitted_invoice(portal, world), submitted_invoice(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("down", "ctrl+a")
        await settle(pilot)
        assert "1 invoice: SEK11,875.00" in screen_text(app)
        await pilot.press("ctrl+a")  # the confirmation's own key
        await settle(pilot)
    assert states(portal, [first, second]) == [
        InvoiceState.READY_FOR_APPROVAL,
        InvoiceState.APPROVED,
    ]


async def test_a_user_without_the_approver_permission_sees_the_queue_and_a_note(
    make_app: AppFactory, world: World, portal: Portal
):
    invoice_id = submitted_invoice(portal, world)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_queue(pilot)
        text = screen_text(app)
        assert "1 invoice waiting for approval" in text
        assert "Only users with the approver permission can approve and send" in text
        await pilot.press("space", "ctrl+a")
        await settle(pilot)
        assert table(screen).marked == []
        assert isinstance(app.screen, SendQueueScreen)  # no confirmation
        assert "You may not approve invoices." in screen_text(app)
    assert states(portal, [invoice_id]) == [InvoiceState.READY_FOR_APPROVAL]


async def test_four_eyes_refusal_is_shown_per_invoice(
    make_app: AppFactory, world: World, portal: Portal
):
    with portal.sessions.begin() as session:
        session.execute(
            update(Company).where(Company.id == world.acme_admin.company_id).values(four_eyes=True)
        )
    own = submitted_invoice(portal, world, writer=world.acme_admin)
    other = submitted_invoice(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        assert "Four-eyes rule" in screen_text(app)
        await pilot.press("a", "ctrl+a")
        await settle(pilot)
        assert "You wrote 1 of them: someone else must approve it." in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Not approved: Someone else must approve an invoice you wrote." in text
        assert "Approved, queued for sending" in text
        assert "0 delivered, 0 failed, 1 not approved" in text
    assert states(portal, [own, other]) == [InvoiceState.READY_FOR_APPROVAL, InvoiceState.APPROVED]


async def test_enter_opens_the_invoice_and_it_can_go_back_to_draft(
    make_app: AppFactory, world: World, portal: Portal
):
    invoice_id = submitted_invoice(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueInvoiceScreen)
        text = screen_text(app)
        assert "Konsulttimmar" in text and "Bakker BV" in text and "Dam 1" in text
        assert "11,875.00" in text
        assert "^d Return to draft" in text.splitlines()[-1]
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.screen is screen
        assert table(screen).keys == []
        assert "Nothing is waiting for approval." in screen_text(app)
    assert states(portal, [invoice_id]) == [InvoiceState.DRAFT]


async def test_coming_back_shows_what_is_still_being_sent(
    make_app: AppFactory, world: World, portal: Portal
):
    ids = [submitted_invoice(portal, world) for _ in range(2)]
    for invoice_id in ids:
        set_state(portal, invoice_id, InvoiceState.APPROVED)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        assert "2 being sent" in screen_text(app)
        set_state(portal, ids[0], InvoiceState.DELIVERED)
        await until(pilot, lambda: "1 being sent" in screen_text(app), tries=60)
        assert "1 being sent" in screen_text(app)
        set_state(portal, ids[1], InvoiceState.DELIVERED)
        await until(pilot, lambda: "being sent" not in screen_text(app), tries=60)
        assert "being sent" not in screen_text(app)


async def test_every_text_is_translated_and_follows_a_language_switch(
    make_app: AppFactory, world: World, portal: Portal
):
    submitted_invoice(portal, world)
    app = make_app("main", world.acme_member.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("f2", "down", "enter")  # Nederlands
        await settle(pilot)
        text = screen_text(app)
        assert "[nl]1 invoice waiting for approval" in text
        assert "[nl]Only users with the approver permission" in text
        for heading in ("Number", "Customer", "Amount", "Currency", "Channel", "Attachments"):
            assert f"[nl]{heading}" in text
        assert "[nl]Portal inbox" in text
        assert "[nl]Approve and send" in text.splitlines()[0]
        assert "space [nl]Mark" not in text  # a non-approver has nothing to mark
        assert "^a [nl]Approve and send" in text.splitlines()[-1]


async def test_leaving_the_screen_does_not_stop_the_batch_and_coming_back_shows_it(
    make_app: AppFactory, world: World, portal: Portal
):
    ids = [submitted_invoice(portal, world) for _ in range(2)]
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot)
        await pilot.press("a", "ctrl+a", "enter")
        await settle(pilot)
        await pilot.press("f3")  # away to the home screen while the worker sends
        await settle(pilot)
        assert not isinstance(app.screen, SendQueueScreen)
        for invoice_id in ids:
            set_state(portal, invoice_id, InvoiceState.DELIVERED)
        await pilot.press("f6")
        await until(pilot, lambda: "Sent 2 of 2" in screen_text(app))
        await settle(pilot)
        assert app.screen is screen
        assert screen_text(app).count("Delivered") == 2


async def test_help_lists_the_marking_keys(make_app: AppFactory, world: World, portal: Portal):
    submitted_invoice(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(app)
        for description in ("Mark", "Mark all", "Mark down", "Mark up", "Approve and send"):
            assert description in text
