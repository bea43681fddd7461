"""The templates screen by keyboard: a template saved with empty required fields, the limit of
ten, rename, delete, and an invoice started from a template."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Select

from backend.db.models.templates import MAX_TEMPLATES_PER_COMPANY
from backend.services import templates
from backend.services.context import Portal
from tests.services.conftest import World
from tui.screens.invoice_form import InvoiceFormScreen
from tui.screens.templates import TemplateEditorScreen, TemplatesScreen
from tui.widgets.invoice_dialogs import ConfirmOverlay, NameOverlay
from tui.widgets.invoice_editor import control_id

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .invoice_form_world import prepare, wait_for_overlay

SIZE = (120, 40)


async def _open_list(pilot) -> TemplatesScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TemplatesScreen)
    return screen


def _names(portal: Portal, world: World) -> list[str]:
    return [v.name for v in templates.list_templates(portal, world.acme_admin.actor)]


async def test_a_template_is_saved_with_empty_required_fields(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        assert "There are no templates yet" in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)
        editor_screen = app.screen
        assert isinstance(editor_screen, TemplateEditorScreen)
        assert app.focused is editor_screen.query_one("#template-name")
        await type_text(pilot, "Monthly rent")
        await pilot.press("ctrl+n")  # a line with only a name: no price, no customer
        await type_text(pilot, "Rent")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert "Monthly rent" in screen_text(app)
        assert "The template Monthly rent is saved." in screen_text(app)
        view = templates.list_templates(portal, world.acme_admin.actor)[0]
        assert view.name == "Monthly rent"
        assert [line["name"] for line in view.fields["lines"]] == ["Rent"]
        assert "customer_id" not in view.fields


async def test_the_limit_of_ten_is_said_clearly(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    for n in range(MAX_TEMPLATES_PER_COMPANY):
        templates.create_template(portal, world.acme_admin.actor, f"Template {n}", {})
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        assert "10 of 10 templates." in screen_text(app)
        await pilot.press("ctrl+n")  # the eleventh
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert (
            "You can save at most 10 templates. Delete one to make room for a new one."
            in screen_text(app)
        )
    assert len(_names(portal, world)) == 10


async def test_saving_the_eleventh_in_the_editor_shows_the_services_message(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    for n in range(MAX_TEMPLATES_PER_COMPANY - 1):
        templates.create_template(portal, world.acme_admin.actor, f"Template {n}", {})
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        templates.create_template(portal, world.acme_admin.actor, "Someone else's", {})
        await type_text(pilot, "Mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplateEditorScreen)  # still there, nothing lost
        assert "You can save at most 10 templates." in screen_text(app)
        assert app.screen.query_one("#template-name", Input).value == "Mine"


async def test_rename_and_delete(make_app: AppFactory, world: World, portal: Portal) -> None:
    prepare(portal, world)
    templates.create_template(portal, world.acme_admin.actor, "Alpha", {})
    templates.create_template(portal, world.acme_admin.actor, "Beta", {})
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("r")  # the cursor is on Alpha
        await wait_for_overlay(pilot, NameOverlay)
        await type_text(pilot, "Gamma")  # the old name is selected: typing replaces it
        await pilot.press("enter")
        await settle(pilot)
        assert _names(portal, world) == ["Beta", "Gamma"]
        assert "The template is now called Gamma." in screen_text(app)

        await pilot.press("delete")  # the cursor stayed on the renamed one
        await wait_for_overlay(pilot, ConfirmOverlay, text="Delete the template Gamma?")
        await pilot.press("n")
        await settle(pilot)
        assert _names(portal, world) == ["Beta", "Gamma"]
        await pilot.press("delete")
        await wait_for_overlay(pilot, ConfirmOverlay)
        await pilot.press("y")
        await settle(pilot)
        assert _names(portal, world) == ["Beta"]
        assert "The template Gamma is deleted." in screen_text(app)


async def test_open_shows_the_template_and_saves_changes(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customer = prepare(portal, world)
    view = templates.create_template(
        portal,
        world.acme_admin.actor,
        "Consulting",
        {
            "customer_id": customer,
            "currency": "SEK",
            "payment_terms": "30 dagar netto",
            "due_days": 30,
            "lines": [{"name": "Konsulttimmar", "quantity": "8", "net_price": "950.00"}],
        },
    )
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TemplateEditorScreen)
        assert screen.query_one(f"#{control_id('payment_terms')}", Input).value == "30 dagar netto"
        assert screen.query_one("#f-customer", Select).value == customer
        # invoice-only parts are not part of a template
        assert not screen.query_one(f"#{control_id('issue_date')}").parent.parent.display
        screen.query_one(f"#{control_id('payment_terms')}", Input).value = "14 dagar netto"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplatesScreen)
    stored = templates.get_template(portal, world.acme_admin.actor, view.id).fields
    assert stored["payment_terms"] == "14 dagar netto"
    assert stored["lines"][0]["quantity"] == "8"


async def test_use_opens_the_invoice_form_prefilled(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customer = prepare(portal, world)
    templates.create_template(
        portal,
        world.acme_admin.actor,
        "Consulting",
        {
            "customer_id": customer,
            "buyer_reference": "Projekt 12",
            "due_days": 20,
            "lines": [
                {"name": "Konsulttimmar", "quantity": "8", "unit_code": "HUR",
                 "net_price": "950.00", "vat_category": "S", "vat_rate": "25",
                 "note": "Enligt avtal"}
            ],
        },
    )  # fmt: skip
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, InvoiceFormScreen)
        await settle(pilot)
        assert "Invoice from the template Consulting" in screen_text(app)
        lines = [r.read().value for r in form.editor.rows("#lines")]
        assert [(x.name, x.quantity, x.net_price, x.note) for x in lines] == [
            ("Konsulttimmar", Decimal("8"), Decimal("950.00"), "Enligt avtal")
        ]
        assert form.query_one("#f-customer", Select).value == customer
        assert form.query_one(f"#{control_id('buyer.name')}", Input).value == "Bakker BV"
        assert form.query_one(f"#{control_id('due_date')}", Input).value == "2026-11-22"
