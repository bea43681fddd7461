"""The customers screen by keyboard: search the directory, details, add in two steps, the
register (edit, remove, ask again), customers by e-mail, and the recipient's sender approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input, Select

from backend.db.models import AuditEvent, Company, Customer, DeliveryChannel
from backend.domain.states import CustomerLinkState
from backend.services import companies, customers
from backend.services.context import Portal
from tests.services.conftest import World, add_company
from tui.app import PortalApp
from tui.screens.customer_register import RegisterTable
from tui.screens.customer_search import SEARCH_DELAY, HitsTable, SearchPane
from tui.screens.customer_senders import SendersTable
from tui.screens.customer_widgets import ConfirmScreen
from tui.screens.customers import CustomersScreen
from tui.widgets.form import FormField

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text

SIZE = (120, 40)
APPROVED = CustomerLinkState.APPROVED
PENDING = CustomerLinkState.PENDING_APPROVAL
REJECTED = CustomerLinkState.REJECTED


@pytest.fixture
def pagero(portal: Portal, world: World) -> int:
    """The company the guide searches for: Pagero AB, organisation number 556581-4695."""
    return add_company(
        portal,
        country="SE",
        org_id="5565814695",
        name="Pagero AB",
        vat_number="SE556581469501",
        peppol_scheme="0007",
        peppol_value="5565814695",
        street="Box 11379",
        postal_code="404 28",
        city="Göteborg",
        email="invoices@pagero.example",
    )


def _requires_approval(portal: Portal, company_id: int) -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(Company).where(Company.id == company_id).values(requires_sender_approval=True)
        )


def _register(portal: Portal, company_id: int) -> list[Customer]:
    with portal.sessions() as session:
        return list(
            session.scalars(select(Customer).where(Customer.sender_company_id == company_id))
        )


async def _open(app: PortalApp, pilot: Pilot) -> CustomersScreen:
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    assert isinstance(app.screen, CustomersScreen)
    return app.screen


async def _tab(pilot: Pilot, screen: CustomersScreen, tab: str) -> None:
    while screen.tabs.active != tab:
        await pilot.press("ctrl+t")
        await settle(pilot)


async def _search(pilot: Pilot, text: str) -> None:
    """Type into the search box and let the search run as it does while typing."""
    search = pilot.app.screen.query_one("#search-query", Input)
    search.focus()
    await pilot.press("ctrl+u")
    await type_text(pilot, text)
    await pilot.pause(SEARCH_DELAY + 0.2)
    await settle(pilot)


def _hit_names(screen: CustomersScreen) -> list[str]:
    return [hit.name for hit in screen.query_one(HitsTable).items]


# --- search and add --------------------------------------------------------------------------


async def test_search_as_you_type_by_name_org_number_and_vat(
    make_app: AppFactory, world: World, pagero: int
) -> None:
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        assert screen.focused is screen.query_one("#search-query")
        await _search(pilot, "p")
        assert _hit_names(screen) == []
        assert "Type at least two characters to search." in screen_text(app)
        await _search(pilot, "pager")
        assert _hit_names(screen) == ["Pagero AB"]
        assert "1 member found." in screen_text(app)
        await _search(pilot, "556581-4695")
        assert _hit_names(screen) == ["Pagero AB"]
        await _search(pilot, "SE556581469501")
        assert _hit_names(screen) == ["Pagero AB"]
        await _search(pilot, "12345678")
        assert _hit_names(screen) == ["Bakker BV"]
        await _search(pilot, "nobody at all")
        assert _hit_names(screen) == []
        assert "No member found." in screen_text(app)


async def test_details_then_add_in_two_steps_with_back(
    make_app: AppFactory, world: World, portal: Portal, pagero: int
) -> None:
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await type_text(pilot, "Pagero")
        await pilot.press("enter")  # search now, then the hits have the focus
        await settle(pilot)
        assert screen.focused is screen.query_one(HitsTable)
        await pilot.press("enter")  # details of the hit
        await settle(pilot)
        text = screen_text(app)
        for expected in (
            "Company details",
            "Pagero AB",
            "SE556581469501",
            "0007:5565814695",
            "5565814695",
            "Box 11379, 404 28 Göteborg",
        ):
            assert expected in text
        await pilot.press("escape")  # back to the hits
        await settle(pilot)
        assert screen.query_one(SearchPane).view == "search-list"
        await pilot.press("enter", "enter")  # details, then Add
        await settle(pilot)
        assert "Step 1 of 2: Your customer number" in screen_text(app)
        await type_text(pilot, "K-42")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Step 2 of 2: Confirm" in text
        assert "K-42" in text and "Portal inbox" in text
        await pilot.press("escape")  # Previous: step 1 keeps what was typed
        await settle(pilot)
        assert "Step 1 of 2" in screen_text(app)
        assert screen.query_one("#add-number", Input).value == "K-42"
        # choose e-mail as the channel this time
        screen.query_one("#add-channel", Select).focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        screen.query_one("#add-number", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "E-mail" in screen_text(app)
        assert _register(portal, world.acme_admin.company_id) == []  # nothing before Finish
        await pilot.press("enter")  # Finish
        await settle(pilot)

        assert screen.tabs.active == "tab-register"
        table = screen.query_one(RegisterTable)
        assert [(c.name, c.customer_number) for c in table.items] == [("Pagero AB", "K-42")]
        assert table.current is not None and table.current.name == "Pagero AB"
        text = screen_text(app)
        assert "Approved" in text and "invoices@pagero.example" in text
        [row] = _register(portal, world.acme_admin.company_id)
        assert (row.recipient_company_id, row.customer_number) == (pagero, "K-42")
        assert (row.state, row.channel) == (APPROVED, DeliveryChannel.EMAIL)


async def test_company_that_approves_senders_shows_awaiting_approval(
    make_app: AppFactory, world: World, portal: Portal, pagero: int
) -> None:
    _requires_approval(portal, pagero)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await type_text(pilot, "Pagero")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")  # add straight from the hits
        await settle(pilot)
        await type_text(pilot, "P-1")
        await pilot.press("enter")
        await settle(pilot)
        assert "Awaiting approval" in screen_text(app)  # the confirmation says so
        await pilot.press("escape")  # step 1
        await pilot.press("escape")  # the hits, where "a" came from
        await settle(pilot)
        assert screen.query_one(SearchPane).view == "search-list"
        await pilot.press("a")
        await settle(pilot)
        assert screen.query_one("#add-number", Input).value == "P-1"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert screen.tabs.active == "tab-register"
        [shown] = screen.query_one(RegisterTable).items
        assert shown.state is PENDING
        text = screen_text(app)
        assert "Awaiting approval" in text
        assert "Invoices cannot be sent to a customer that is awaiting approval" in text
        [row] = _register(portal, world.acme_admin.company_id)
        assert row.state is PENDING


async def test_service_errors_are_shown_next_to_the_field(
    make_app: AppFactory, world: World, portal: Portal, pagero: int
) -> None:
    customers.add_external_customer(portal, world.acme_admin.actor, "Café Lund", "a@cafe.se", "K-1")
    customers.add_customer(portal, world.acme_admin.actor, world.bakker_admin.company_id, "K-2")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await type_text(pilot, "Pagero")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "K-1")
        await pilot.press("enter", "enter")  # next, finish
        await settle(pilot)
        # back in step 1, the error under the number, the number kept
        assert "Step 1 of 2" in screen_text(app)
        assert "The customer number K-1 is already used for Café Lund." in screen_text(app)
        assert screen.query_one("#add-number", Input).value == "K-1"
        assert screen.focused is screen.query_one("#add-number")
        assert len(_register(portal, world.acme_admin.company_id)) == 2

        # a member already in the register: the details say so and offer no Add
        await pilot.press("escape")
        await _search(pilot, "Bakker")
        screen.query_one(HitsTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Bakker BV is in your customer register as K-2." in screen_text(app)
        assert not screen.query_one("#details-add").display


# --- the register ----------------------------------------------------------------------------


async def test_edit_number_and_channel(make_app: AppFactory, world: World, portal: Portal) -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(Company)
            .where(Company.id == world.bakker_admin.company_id)
            .values(email="facturen@bakker.nl")
        )
    added = customers.add_customer(
        portal, world.acme_admin.actor, world.bakker_admin.company_id, "K-1"
    )
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-register")
        assert screen.focused is screen.query_one(RegisterTable)
        assert "Bakker BV" in screen_text(app) and "Portal inbox" in screen_text(app)
        await pilot.press("enter")  # edit
        await settle(pilot)
        assert "Edit the customer Bakker BV" in screen_text(app)
        number = screen.query_one("#edit-number", Input)
        assert number.value == "K-1"
        await pilot.press("ctrl+u")
        await type_text(pilot, "K-9")
        await pilot.press("tab", "enter", "down", "enter")  # channel: E-mail
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [row] = _register(portal, world.acme_admin.company_id)
        assert (row.customer_number, row.channel) == ("K-9", DeliveryChannel.EMAIL)
        assert screen.focused is screen.query_one(RegisterTable)
        text = screen_text(app)
        assert "K-9" in text and "E-mail" in text
        assert customers.get_customer(portal, world.acme_admin.actor, added.id).channel is (
            DeliveryChannel.EMAIL
        )

        # an empty number is refused under the field, what was typed stays; Escape cancels
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+u", "enter")
        await settle(pilot)
        assert "Please enter your customer number for this customer." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert _register(portal, world.acme_admin.company_id)[0].customer_number == "K-9"


async def test_remove_after_confirmation(make_app: AppFactory, world: World, portal: Portal):
    customers.add_external_customer(portal, world.acme_admin.actor, "Café Lund", "a@cafe.se", "K-1")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-register")
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Remove Café Lund from your customer register?" in screen_text(app)
        await pilot.press("escape")  # not removed
        await settle(pilot)
        assert len(_register(portal, world.acme_admin.company_id)) == 1
        await pilot.press("delete", "enter")
        await settle(pilot)
        assert _register(portal, world.acme_admin.company_id) == []
        assert screen.query_one(RegisterTable).items == []
        assert "Your customer register is empty." in screen_text(app)


async def test_ask_again_after_a_rejection(make_app: AppFactory, world: World, portal: Portal):
    _requires_approval(portal, world.bakker_admin.company_id)
    added = customers.add_customer(
        portal, world.acme_admin.actor, world.bakker_admin.company_id, "K-1"
    )
    customers.decide_sender_request(portal, world.bakker_admin.actor, added.id, False)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-register")
        text = screen_text(app)
        assert "Rejected" in text and "Ask for approval again" in text  # the footer offers it
        await pilot.press("a")
        await settle(pilot)
        [row] = _register(portal, world.acme_admin.company_id)
        assert row.state is PENDING
        assert "Awaiting approval" in screen_text(app)
        assert "Ask for approval again" not in screen_text(app)


# --- customers by e-mail ---------------------------------------------------------------------


async def test_add_by_email_bad_vat_keeps_the_input_then_succeeds(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-external")
        assert screen.focused is screen.query_one("#external-name")
        typed = {
            "name": "Café Lund",
            "email": "kassa@cafe.se",
            "country": "SE",
            "org_id": "",
            "vat_number": "SE123",
            "peppol_id": "",
            "customer_number": "K-7",
        }
        for value in typed.values():
            await type_text(pilot, value)
            await pilot.press("enter")  # next field; on the last one: add
        await settle(pilot)
        assert _register(portal, world.acme_admin.company_id) == []
        vat = screen.query_one("#external-vat_number", Input)
        assert screen.focused is vat
        [vat_field] = [f for f in screen.query(FormField) if f.field == "vat_number"]
        error = vat_field.query_one(".form-error")
        assert error.has_class("-shown")
        for field, value in typed.items():
            assert screen.query_one(f"#external-{field}", Input).value == value
        await pilot.press("ctrl+u")
        await type_text(pilot, "SE556036079301")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not error.has_class("-shown")
        [row] = _register(portal, world.acme_admin.company_id)
        assert (row.name, row.email, row.vat_number, row.customer_number) == (
            "Café Lund",
            "kassa@cafe.se",
            "SE556036079301",
            "K-7",
        )
        assert row.recipient_company_id is None and row.channel is DeliveryChannel.EMAIL
        assert screen.tabs.active == "tab-register"
        assert "Café Lund" in screen_text(app)
        assert screen.query_one("#external-name", Input).value == ""  # ready for the next


# --- the recipient's side --------------------------------------------------------------------


async def test_recipient_approves_a_sender_and_the_sender_sees_approved(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    companies.update_company(
        portal,
        world.bakker_admin.actor,
        world.bakker_admin.company_id,
        requires_sender_approval=True,
    )
    added = customers.add_customer(
        portal, world.acme_member.actor, world.bakker_admin.company_id, "K-1"
    )
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-senders")
        text = screen_text(app)
        assert "Acme AB" in text and "Awaiting approval" in text
        assert "1 sender is awaiting your approval." in text
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Approve Acme AB as a sender?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        [request] = screen.query_one(SendersTable).items
        assert request.state is APPROVED
        assert "No sender is awaiting your approval." in screen_text(app)
    with portal.sessions() as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sender_approved")
        ).all()
        assert event.actor_user_id == world.bakker_admin.user_id
        assert event.subject == f"customer:{added.id}"

    sender = make_app("main", world.acme_member.user_id)
    async with sender.run_test(size=SIZE) as pilot:
        screen = await _open(sender, pilot)
        await _tab(pilot, screen, "tab-register")
        [customer] = screen.query_one(RegisterTable).items
        assert customer.state is APPROVED
        assert "Approved" in screen_text(sender)


async def test_rejecting_needs_a_confirmation_and_only_admins_decide(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customers.add_customer(portal, world.acme_member.actor, world.bakker_admin.company_id, "K-1")
    member = make_app("main", world.bakker_member.user_id)
    async with member.run_test(size=SIZE) as pilot:
        screen = await _open(member, pilot)
        await _tab(pilot, screen, "tab-senders")
        assert "Only your company's administrators can approve or reject" in screen_text(member)
        await pilot.press("r")
        await settle(pilot)
        assert member.screen is screen  # no confirmation: the key is not offered
        assert "Reject" not in screen_text(member).splitlines()[-1]

    admin = make_app("main", world.bakker_admin.user_id)
    async with admin.run_test(size=SIZE) as pilot:
        screen = await _open(admin, pilot)
        await _tab(pilot, screen, "tab-senders")
        assert "Approved" in screen_text(admin)  # Bakker does not approve senders first
        await pilot.press("r")
        await settle(pilot)
        assert "Reject Acme AB?" in screen_text(admin)
        await pilot.press("escape")
        await settle(pilot)
        assert _register(portal, world.acme_admin.company_id)[0].state is APPROVED
        await pilot.press("r", "enter")
        await settle(pilot)
        assert _register(portal, world.acme_admin.company_id)[0].state is REJECTED
        assert "Rejected" in screen_text(admin)


# --- language --------------------------------------------------------------------------------


async def test_language_switch_rerenders_the_screen_and_keeps_the_input(
    make_app: AppFactory, world: World, portal: Portal, pagero: int
) -> None:
    customers.add_customer(portal, world.acme_admin.actor, world.bakker_admin.company_id, "K-1")
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await type_text(pilot, "Pagero")
        await pilot.press("enter")
        await settle(pilot)
        assert "[nl]" not in screen_text(app)
        await pilot.press("f2", "down", "enter")  # English -> Nederlands
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        text = screen_text(app)
        for expected in (
            "[nl]Search",
            "[nl]My customers",
            "[nl]Add by e-mail",
            "[nl]Senders",
            "[nl]Name",
            "[nl]Organisation number",
            "[nl]1 member found.",
            "[nl]Details",
            "[nl]Next tab",
        ):
            assert expected in text, expected
        assert "Pagero AB" in text
        assert screen.query_one("#search-query", Input).value == "Pagero"
        await pilot.press("enter")  # the details, in Dutch
        await settle(pilot)
        assert "[nl]Company details" in screen_text(app)
        assert "[nl]Peppol id" in screen_text(app)
        await _tab(pilot, screen, "tab-register")
        text = screen_text(app)
        assert "[nl]Approved" in text and "[nl]Portal inbox" in text
        assert "[nl]1 customer." in text
        await _tab(pilot, screen, "tab-external")
        assert "[nl]E-mail address" in screen_text(app)
        await pilot.press("f2", "down", "enter")  # Nederlands -> Svenska
        await settle(pilot)
        text = screen_text(app)
        assert "[sv]E-mail address" in text and "[sv]Add by e-mail" in text
        assert "[nl]" not in text


async def test_help_lists_the_keys_of_the_tab(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    from tui.screens.help import HelpScreen

    customers.add_external_customer(portal, world.acme_admin.actor, "Café Lund", "a@cafe.se", "K-1")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await _tab(pilot, screen, "tab-register")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("Edit", "Remove", "Next tab"):
            assert key in text
        await pilot.press("escape")
        await settle(pilot)
        # a customer outside the portal keeps the e-mail channel: the choice is not offered
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#edit-channel", Select).disabled
        assert "receives its invoices by e-mail" in screen_text(app)
