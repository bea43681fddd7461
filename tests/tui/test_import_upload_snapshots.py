"""Snapshots of the import screen in each language at 80×24 and 120×40: two files in /upload/,
one imported and one refused (fixed data, no clock on screen). The nl and sv snapshots show
English until the lead's translation pass."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from backend.services import accounts
from backend.services.context import Portal
from tests.services.authz_cases_inbox_import import ACME, BAKKER, invoice_to, upload_invoice
from tests.services.conftest import World
from tui.screens.import_upload import ImportUploadScreen

from .conftest import AppFactory
from .helpers import settle


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_import_upload(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    accounts.update_profile(portal, world.acme_admin.actor, language=language)
    user = world.acme_admin.user_id
    upload_invoice(portal, user, invoice_to(ACME), "from-nordisk.xml")
    upload_invoice(portal, user, invoice_to(BAKKER), "for-bakker.xml")
    upload_invoice(portal, user, invoice_to(ACME, number="NB-1002"), "second.xml")
    app = make_app("main", user, language=language)

    async def imported(pilot: Pilot) -> None:
        await settle(pilot)
        await app.push_screen(ImportUploadScreen())
        await settle(pilot)
        await pilot.press("enter", "enter")  # the first two files, by name
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=imported)
