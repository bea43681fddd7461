"""Snapshots of Approve and send in each language at the smallest and a roomy terminal.

Fixed data: three invoices from Acme's member (two in SEK, one in EUR with two attachments),
the first one marked. The nl and sv snapshots show English until the lead's translation pass.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from textual.pilot import Pilot

from backend.db.models import InvoiceAttachment
from backend.services import accounts
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import AppFactory
from .helpers import settle
from .test_send_queue import submitted_invoice


async def _queue_with_a_mark(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    await pilot.press("space", "down")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_send_queue(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    submitted_invoice(portal, world)
    submitted_invoice(portal, world, price="40.00")
    with_files = submitted_invoice(portal, world, currency="EUR", price="36.00")
    with portal.sessions.begin() as session:
        session.execute(
            insert(InvoiceAttachment),
            [
                {"invoice_id": with_files, "document_id": f"B{n}", "filename": f"b{n}.pdf"}
                for n in range(2)
            ],
        )
    accounts.update_profile(portal, world.acme_admin.actor, language=language)
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_queue_with_a_mark)
