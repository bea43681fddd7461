"""Snapshots of the invoice view in each language at 80×24 and 120×40 (fixed data, no clock on
screen). The nl and sv snapshots show English until the lead's translation pass; then review
them and run ``pytest tests/tui/test_invoice_view_snapshots.py --snapshot-update``."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from backend.services import accounts
from backend.services.context import Portal
from tests.services.conftest import World
from tui.screens.invoice_view import InvoiceViewScreen

from .conftest import AppFactory
from .helpers import settle
from .test_invoice_view import sample, store


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_invoice_view(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    accounts.update_profile(portal, world.acme_admin.actor, language=language)
    invoice_id = store(portal, world, sample())
    app = make_app("main", world.acme_admin.user_id, language=language)

    async def opened(pilot: Pilot) -> None:
        await settle(pilot)
        await app.push_screen(InvoiceViewScreen(invoice_id))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)
