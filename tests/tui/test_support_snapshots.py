"""Snapshots of the support screens (my cases, submit a case, the support queue) in each
language at 80×24 and 120×40.

Fixed data and a fixed clock. The nl and sv snapshots show English until the lead's
translation pass; then review them and run with ``--snapshot-update``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from backend.files import UserFiles
from backend.services import accounts, tickets
from backend.services.context import Portal
from tests.services.authz_cases_tickets import PNG, add_invoice, add_support
from tests.services.conftest import World

from .conftest import AppFactory
from .helpers import settle

LANGUAGES = ["en", "nl", "sv"]
SIZES = [(80, 24), (120, 40)]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def cases(portal: Portal, world: World) -> World:
    """Two Acme cases (one answered by support) and one of Bakker's, at fixed times."""
    readings = itertools.count()
    portal.clock = lambda: START + timedelta(minutes=5 * next(readings))
    add_support(portal, world)
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1001")
    tickets.open_ticket(
        portal,
        world.acme_member.actor,
        "coding",
        "Cannot code the freight row",
        "The row is locked.",
        invoice_id=invoice_id,
        fields={"coding_rows": "Row 3", "wanted_action": "Move it to account 4010"},
    )
    asked = tickets.open_ticket(
        portal, world.acme_admin.actor, "question", "Invoice copies by e-mail", "Is that possible?"
    )
    tickets.answer_ticket(portal, world.support.actor, asked.id, "Yes: choose it in Profile.")  # type: ignore[attr-defined]
    tickets.open_ticket(
        portal, world.bakker_member.actor, "question", "Factuur niet ontvangen", "Hoi"
    )
    files = UserFiles.from_settings(portal.settings, world.acme_member.user_id)
    (files.upload / "screenshot.png").write_bytes(PNG[2])
    return world


def _language(portal: Portal, world: World, user: str, language: str) -> int:
    member = getattr(world, user)
    accounts.update_profile(portal, member.actor, language=language)
    return member.user_id


async def _support(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)


async def _new_case(pilot: Pilot) -> None:
    await _support(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    pilot.app.screen.query_one("#case-type", Select).value = "coding"
    # A blinking cursor would be drawn or not depending on when the picture is taken.
    for editor in pilot.app.screen.query("Input, TextArea"):
        editor.cursor_blink = False  # type: ignore[attr-defined]
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_my_cases(
    snap_compare, make_app: AppFactory, cases: World, portal: Portal, language: str, size
) -> None:
    app = make_app("main", _language(portal, cases, "acme_member", language), language=language)
    assert snap_compare(app, terminal_size=size, run_before=_support)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_submit_a_case(
    snap_compare, make_app: AppFactory, cases: World, portal: Portal, language: str, size
) -> None:
    app = make_app("main", _language(portal, cases, "acme_member", language), language=language)
    assert snap_compare(app, terminal_size=size, run_before=_new_case)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_support_queue(
    snap_compare, make_app: AppFactory, cases: World, portal: Portal, language: str, size
) -> None:
    app = make_app("main", _language(portal, cases, "support", language), language=language)
    assert snap_compare(app, terminal_size=size, run_before=_support)
