"""The invoice form by keyboard: lines, totals in the user's locale, findings next to their
field, Proceed into the send queue, drafts that survive a disconnect, credit notes, copies,
attachments from /upload/, and a live language switch."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Select, SelectionList

from backend.domain.states import InvoiceState
from backend.i18n import translator
from backend.services import accounts
from backend.services.context import Portal
from tests.services.conftest import World
from tui.screens.invoice_form import InvoiceFormScreen
from tui.widgets.invoice_dialogs import ChoiceOverlay
from tui.widgets.invoice_editor import InvoiceEditor, control_id

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .invoice_form_world import prepare, rows_in, submitted_invoice, tab_to, wait_for_overlay

SIZE = (120, 40)


async def _open_form(pilot) -> InvoiceFormScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InvoiceFormScreen)
    await screen.ready.wait()
    await settle(pilot)
    return screen


def _field(screen: InvoiceFormScreen, field: str) -> Input:
    return screen.query_one(f"#{control_id(field)}", Input)


async def _choose_customer(pilot, screen: InvoiceFormScreen) -> None:  # type: ignore[no-untyped-def]
    select = screen.query_one("#f-customer", Select)
    await tab_to(pilot, select)
    await pilot.press("enter", "down", "enter")  # the prompt, then the one customer
    await settle(pilot)


async def _type_line(pilot, name: str, quantity: str, unit: str, price: str) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+N adds a line with the cursor on its item; Tab moves through the line."""
    await pilot.press("ctrl+n")
    await type_text(pilot, name)
    await pilot.press("tab")
    await type_text(pilot, quantity)
    await pilot.press("tab")
    await type_text(pilot, unit)
    await pilot.press("tab")
    await pilot.press(*[{",": "comma", ".": "full_stop"}.get(c, c) for c in price])


async def test_new_invoice_by_keyboard_to_the_send_queue(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    accounts.update_profile(portal, world.acme_member.actor, language="sv")
    app = make_app("main", world.acme_member.user_id, language="sv")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await _choose_customer(pilot, screen)
        assert _field(screen, "buyer.name").value == "Bakker BV"
        assert _field(screen, "buyer.address.city").value == "Amsterdam"

        await _type_line(pilot, "Konsulttimmar", "10", "HUR", "950,50")
        await pilot.press("tab", "tab")  # past the VAT choice to the line note
        await type_text(pilot, "Enligt avtal")
        await _type_line(pilot, "Felaktig rad", "1", "H87", "100")
        editor = screen.query_one(InvoiceEditor)
        assert len(editor.rows("#lines")) == 2
        await pilot.press("ctrl+d")  # the line the cursor is in goes again
        await settle(pilot)
        assert [r.read().value.name for r in editor.rows("#lines")] == ["Konsulttimmar"]

        # 10 × 950,50 = 9 505,00; VAT 25 % = 2 376,25; to pay 11 881,25 — as Swedish writes it
        t = translator("sv")
        text = screen_text(app)
        assert t.money(Decimal("11881.25"), "SEK") == "11\xa0881,25\xa0kr"
        assert t("Total to pay: {amount}", amount=t.money(Decimal("11881.25"), "SEK")) in text

        # no buyer reference: Proceed is refused, the finding is under the field
        await pilot.press("ctrl+g")
        await settle(pilot)
        field = screen.query_one(f"#{control_id('buyer_reference')}").parent.parent
        assert t("Give the buyer's reference or a purchase order number.") in str(
            field.query_one(".form-error").render()
        )
        assert t.ngettext(
            "The invoice has {count} error to correct first.",
            "The invoice has {count} errors to correct first.",
            1,
        ).format(count=1) in screen_text(app)
        assert app.focused is _field(screen, "buyer_reference")
        assert rows_in(portal, InvoiceState.READY_FOR_APPROVAL) == []

        await type_text(pilot, "PO-1")
        await pilot.press("ctrl+g")
        await settle(pilot)
        queued = rows_in(portal, InvoiceState.READY_FOR_APPROVAL)
        assert len(queued) == 1
        row = queued[0]
        assert (row.tax_exclusive_amount, row.tax_amount, row.payable_amount) == (
            Decimal("9505.00"),
            Decimal("2376.25"),
            Decimal("11881.25"),
        )
        assert [(line.name, line.quantity, line.note) for line in row.lines] == [
            ("Konsulttimmar", Decimal("10"), "Enligt avtal")
        ]
        assert row.buyer_reference == "PO-1"
        assert t(
            "Invoice {number} is in the send queue, waiting for approval.", number=row.number
        ) in screen_text(app)
        # the form starts again for the next invoice
        assert editor.rows("#lines") == []
        assert screen.draft_id is None
        assert rows_in(portal, InvoiceState.DRAFT) == []


async def _wait_for_draft(pilot, portal: Portal, check) -> list:  # type: ignore[no-untyped-def]
    """Wait (by the app's own pauses, no wall clock asserted) until a saved draft passes
    ``check``: the form saves a short while after the last key."""
    for _ in range(100):
        drafts = rows_in(portal, InvoiceState.DRAFT)
        if drafts and check(drafts):
            return drafts
        await pilot.pause(0.1)
    raise AssertionError("the draft was never saved")


async def test_totals_in_dutch_number_format(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    accounts.update_profile(portal, world.acme_member.actor, language="nl")
    app = make_app("main", world.acme_member.user_id, language="nl")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await _type_line(pilot, "Uren", "2", "HUR", "1234,5")
        await settle(pilot)
        t = translator("nl")
        # 2 × 1 234,50 = 2 469,00; 25 % VAT 617,25; 3 086,25 to pay, written the Dutch way
        assert t.money(Decimal("3086.25"), "SEK") == "SEK\xa03.086,25"
        text = screen_text(app)
        assert t("Total to pay: {amount}", amount="SEK\xa03.086,25") in text
        assert "SEK\xa02.469,00" in text  # the line's amount
        totals = str(screen.query_one("#totals").render())
        assert "SEK\xa0617,25" in totals


async def test_draft_survives_a_disconnect(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await _choose_customer(pilot, screen)
        await _type_line(pilot, "Halvfärdig rad", "3", "HUR", "120")
        await _wait_for_draft(
            pilot,
            portal,
            lambda d: [(x.name, x.net_price) for x in d[0].lines] == [("Halvfärdig rad", 120)],
        )
    # the connection drops: a new session offers the draft, with what was typed
    again = make_app("main", world.acme_member.user_id)
    async with again.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        offer = str(screen.query_one("#offer-text").render())
        assert offer.startswith("You have an unfinished draft of") and "Bakker BV" in offer
        assert "Continue the draft" in screen_text(again)
        assert again.focused is screen.query_one("#continue-draft")
        await pilot.press("enter")
        await settle(pilot)
        rows = screen.editor.rows("#lines")
        assert [r.read().value.name for r in rows] == ["Halvfärdig rad"]
        assert rows[0].read().value.net_price == Decimal("120")
        assert rows[0].query_one(".net_price", Input).value == "120.00"
        assert rows[0].query_one(".quantity", Input).value == "3"
        assert screen.query_one("#f-customer", Select).value is not None
        assert screen.draft_id == rows_in(portal, InvoiceState.DRAFT)[0].id
        assert "Your draft" in screen_text(again)


async def test_a_failed_save_keeps_what_was_typed(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await pilot.press("ctrl+n")
        too_long = "Ö" * 201  # the database keeps 200 characters of an item name
        app.focused.insert_text_at_cursor(too_long)  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "The draft could not be saved" in screen_text(app)
        stored = [x.name for d in rows_in(portal, InvoiceState.DRAFT) for x in d.lines]
        assert too_long not in stored
        row = screen.editor.rows("#lines")[0]
        assert row.read().value.name == too_long
        assert "At most 200 characters are allowed here." in str(
            row.query_one(".row-error").render()
        )
        # shortened, it saves
        app.focused.action_delete_left()  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await settle(pilot)
        drafts = rows_in(portal, InvoiceState.DRAFT)
        assert [line.name for line in drafts[0].lines] == ["Ö" * 200]


async def test_copy_of_an_earlier_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customer = prepare(portal, world)
    _invoice_id, number = submitted_invoice(portal, world, customer)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await pilot.press("ctrl+r")
        await wait_for_overlay(pilot, ChoiceOverlay)
        await pilot.press("down", "down", "down", "enter")  # "A copy of an earlier invoice"
        await wait_for_overlay(pilot, ChoiceOverlay, text=number)
        await pilot.press("enter")
        await settle(pilot)
        assert f"Copy of invoice {number}" in screen_text(app)
        rows = screen.editor.rows("#lines")
        assert [(r.read().value.name, r.read().value.quantity) for r in rows] == [
            ("Konsulttimmar", Decimal("10"))
        ]
        assert _field(screen, "issue_date").value == "2026-11-02"
        assert _field(screen, "buyer_reference").value == "PO-77"
        assert screen.query_one("#f-customer", Select).value == customer
        assert screen.draft_id is None  # nothing is saved until something is typed


async def test_credit_note_for_a_sent_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customer = prepare(portal, world)
    invoice_id, number = submitted_invoice(portal, world, customer)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await pilot.press("ctrl+r")
        await wait_for_overlay(pilot, ChoiceOverlay)
        await pilot.press("down", "enter")  # "A credit note for a sent invoice"
        await wait_for_overlay(pilot, ChoiceOverlay, text=number)
        await pilot.press("enter")  # the one sent invoice
        await settle(pilot)
        text = screen_text(app)
        assert f"Credit note for invoice {number}" in text
        assert screen.query_one("#f-kind", Select).value == "credit_note"
        assert number in str(screen.query_one("#credited").render())
        drafts = rows_in(portal, InvoiceState.DRAFT)
        assert len(drafts) == 1 and drafts[0].credited_invoice_id == invoice_id
        assert drafts[0].header["preceding_invoices"][0]["number"] == number
        assert screen.draft_id == drafts[0].id


async def test_switching_the_kind_to_credit_asks_for_the_credited_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    customer = prepare(portal, world)
    _invoice_id, number = submitted_invoice(portal, world, customer)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        kind = screen.query_one("#f-kind", Select)
        await tab_to(pilot, kind)
        await pilot.press("enter", "down", "enter")
        await wait_for_overlay(pilot, ChoiceOverlay, text=number)
        await pilot.press("enter")  # the invoice it credits
        await settle(pilot)
        invoice = screen.editor.read().invoice
        assert invoice.is_credit_note
        assert [ref.number for ref in invoice.preceding_invoices] == [number]


async def test_attachments_are_picked_from_upload(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    from backend.files import UserFiles

    prepare(portal, world)
    files = UserFiles.for_user(portal.settings.data_dir, world.acme_member.user_id)
    (files.upload / "offert.pdf").write_bytes(b"%PDF-1.4 offert")
    (files.upload / "notes.txt").write_bytes(b"not a type Peppol accepts")
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        choices = screen.query_one("#attachments", SelectionList)
        assert [choices.get_option_at_index(i).value for i in range(choices.option_count)] == [
            "offert.pdf"
        ]
        await tab_to(pilot, choices)
        await pilot.press("down", "space")  # the first file
        await settle(pilot)
        assert choices.selected == ["offert.pdf"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        drafts = rows_in(portal, InvoiceState.DRAFT)
        assert [(a.filename, a.mime_code, a.content) for a in drafts[0].attachments] == [
            ("offert.pdf", "application/pdf", b"%PDF-1.4 offert")
        ]


async def test_language_switch_rerenders_the_form_and_keeps_what_was_typed(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    prepare(portal, world)
    app = make_app("main", world.acme_member.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_form(pilot)
        await _type_line(pilot, "Konsulttimmar", "2", "HUR", "100")
        await settle(pilot)
        assert "[nl]" not in screen_text(app)
        await pilot.press("f2")
        await pilot.press("down", "enter")  # Nederlands
        await settle(pilot)
        screen.editor.scroll_home(animate=False)
        await pilot.pause()
        text = screen_text(app)
        for shown in ("[nl]Customer *", "[nl]Invoice date *", "[nl]Document", "[nl]New invoice"):
            assert shown in text, shown
        screen.editor.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        for shown in (
            "[nl]Lines",
            "[nl]Item *",
            "[nl]Proceed with the invoice (Ctrl+G)",
            "[nl]Total to pay: ",
            "[nl]Add line",
        ):
            assert shown in text, shown
        assert screen.query_one("#section-seller").title == "[nl]Seller"  # a folded section
        titles = [str(label.render()) for label in screen.query(".section-title")]
        assert "[nl]Attachments" in titles and "[nl]Totals" in titles
        assert "[nl]Sum of the lines" in str(screen.query_one("#totals").render())
        assert screen.editor.rows("#lines")[0].read().value.name == "Konsulttimmar"
