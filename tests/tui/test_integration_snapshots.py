"""Snapshots of the business-system screen: the Connection tab (SFTP with a stored password)
and the Substitution rules tab (two rules, two unit codes), in en, nl and sv, at the smallest
supported size and a larger one.

Fixed data, no clock on screen (nothing was fetched yet). The nl and sv snapshots show English
until the lead's translation pass; then review them and run ``--snapshot-update``.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from backend.domain.substitution import Rule, SubstitutionField, SubstitutionMode
from backend.services import accounts, integration
from backend.services.context import Portal
from backend.services.integration import IntegrationForm
from tests.services.conftest import World

from .conftest import AppFactory
from .helpers import settle
from .test_integration_screen import open_integration

LANGUAGES = ["en", "nl", "sv"]
SIZES = [(80, 24), (120, 40)]


def _world(portal: Portal, world: World, language: str) -> None:
    actor = world.acme_admin.actor
    accounts.update_profile(portal, actor, language=language)
    integration.save_integration(
        portal,
        actor,
        IntegrationForm(
            enabled=True,
            file_format="si-ubl-2",
            protocol="sftp",
            host="sftp.acme.example",
            port=22,
            username="portal",
            path="/out",
            error_email="fel@acme.se",
            password="Hemligt-123",
        ),
    )
    integration.save_substitution_rules(
        portal,
        actor,
        [
            Rule(SubstitutionField.PAYMENT_TERMS, SubstitutionMode.ALWAYS, "30 dagar netto"),
            Rule(
                SubstitutionField.SELLER_IBAN,
                SubstitutionMode.IF_MISSING,
                "SE4550000000058398257466",
            ),
        ],
        [("st", "H87"), ("uur", "HUR")],
    )


async def _connection(pilot: Pilot) -> None:
    await open_integration(pilot)


async def _rules(pilot: Pilot) -> None:
    await open_integration(pilot)
    await pilot.press("ctrl+pagedown")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_connection_tab(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    _world(portal, world, language)
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_connection)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_rules_tab(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    _world(portal, world, language)
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_rules)
