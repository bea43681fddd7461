"""Snapshots of Sent documents in each language at the smallest and a roomy terminal.

Fixed data and a fixed "today" (the portal's clock): the default range is 2026-08-22 to
2026-11-20; one invoice of each status with its last delivery event, and an older one outside
the range. The nl and sv snapshots show English until the lead's translation pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from textual.pilot import Pilot

from backend.domain.states import InvoiceState
from backend.services import accounts
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import AppFactory
from .helpers import settle
from .test_sent_documents import add_event, sent_invoice

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _sent(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_sent_documents(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    portal.clock = lambda: NOW
    done = sent_invoice(portal, world, date(2026, 11, 2), InvoiceState.DELIVERED)
    add_event(portal, done, InvoiceState.DELIVERED, "inbox: Bakker BV")
    failed = sent_invoice(
        portal, world, date(2026, 11, 9), InvoiceState.FAILED, "550 5.1.1 mailbox unknown"
    )
    add_event(portal, failed, InvoiceState.FAILED, "failed: 550 5.1.1 mailbox unknown")
    sending = sent_invoice(portal, world, date(2026, 11, 16), InvoiceState.SENDING)
    add_event(portal, sending, InvoiceState.SENDING, "claimed: 1")
    sent_invoice(portal, world, date(2026, 11, 18), InvoiceState.APPROVED)
    sent_invoice(portal, world, date(2026, 5, 4), InvoiceState.DELIVERED)  # outside the range
    accounts.update_profile(portal, world.acme_admin.actor, language=language)
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_sent)
