"""What the invoice form and templates tests share: a fixed clock, complete company details, a
customer that may be invoiced, and moving the cursor by keyboard."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widget import Widget

from backend.db.models import Company, InvoiceRow
from backend.domain.states import InvoiceState
from backend.services import invoices
from backend.services.context import Portal
from tests.services.conftest import World
from tests.services.invoice_factory import add_customer_link, sample_invoice

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def prepare(portal: Portal, world: World) -> int:
    """Fix the clock, complete Acme's and Bakker's addresses, and register Bakker as an
    approved customer of Acme. Returns the customer id."""
    portal.clock = lambda: NOW
    with portal.sessions.begin() as session:
        acme = session.get(Company, world.acme_admin.company_id)
        assert acme is not None
        acme.street, acme.postal_code, acme.city = "Storgatan 1", "111 22", "Stockholm"
        acme.bic, acme.email = "ESSESESS", "faktura@acme.se"
        bakker = session.get(Company, world.bakker_admin.company_id)
        assert bakker is not None
        bakker.street, bakker.postal_code, bakker.city = "Dam 1", "1012 JS", "Amsterdam"
    return add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)


def submitted_invoice(portal: Portal, world: World, customer_id: int) -> tuple[int, str]:
    """An invoice of Acme to Bakker, proceeded with (in the send queue). (id, number)."""
    invoice = sample_invoice()
    invoice_id = invoices.create_invoice(
        portal, world.acme_admin.actor, invoice, customer_id=customer_id
    )
    number = invoices.submit_invoice(portal, world.acme_admin.actor, invoice_id)
    return invoice_id, number


def rows_in(portal: Portal, state: InvoiceState) -> list[InvoiceRow]:
    with portal.sessions() as session:
        rows = session.scalars(
            select(InvoiceRow).where(InvoiceRow.state == state).order_by(InvoiceRow.id)
        ).all()
        for row in rows:  # load what the tests read after the session closes
            _ = row.lines, row.attachments, row.header
        return list(rows)


async def tab_to(pilot: Pilot, widget: Widget, *, limit: int = 120) -> None:
    """Press Tab until ``widget`` has the cursor (as a person would)."""
    for _ in range(limit):
        if pilot.app.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached {widget!r}; focus is on {pilot.app.focused!r}")


async def wait_for_overlay(pilot: Pilot, kind: type, *, text: str = "") -> None:
    """Wait until an overlay of ``kind`` is up (asked from a worker, which ``settle`` would wait
    for forever while the overlay waits for an answer) and, if given, shows ``text``."""
    from .helpers import screen_text

    for _ in range(200):
        if isinstance(pilot.app.screen, kind) and text in screen_text(pilot.app):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(f"no {kind.__name__} came up")
