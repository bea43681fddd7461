"""The invoice view (Pilot): everything of a sample invoice is on screen, opening a received
invoice marks it read, attachments are saved to /downloads/, hostile text is inert, the Support
key opens a new case, and every string is translated and follows a live language switch."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import Static

from backend.db.invoice_mapping import apply_invoice
from backend.db.models import InvoiceRow
from backend.db.models.customers import DeliveryChannel
from backend.db.models.invoices import DeliveryEvent
from backend.domain.invoice import AllowanceCharge, Attachment, Invoice
from backend.domain.states import InvoiceState
from backend.domain.vat import VatCategory
from backend.files import UserFiles
from backend.services import invoices
from backend.services.context import Portal
from tests.formats.invoice_samples import swedish_invoice
from tests.services.conftest import World
from tui.app import PortalApp
from tui.screens.invoice_view import AttachmentTable, InvoiceViewScreen
from tui.screens.support import NewCaseScreen

from .conftest import AppFactory
from .helpers import screen_text, settle

BIG = (120, 40)
AT = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)


def sample() -> Invoice:
    """Swedish, 3 lines with notes, a document allowance, two attachments, a delivery."""
    invoice = swedish_invoice(lines=3)
    invoice.seller.name = "Acme AB"
    invoice.buyer.name = "Bakker BV"
    invoice.allowances_charges = [
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("100.00"),
            reason="Stamkundsrabatt",
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal(25),
        )
    ]
    invoice.attachments.append(
        Attachment(id="SPEC-1", description="Specifikation", external_uri="https://x.example/s")
    )
    return invoice


def store(portal: Portal, world: World, invoice: Invoice, *, read: bool = False) -> int:
    """``invoice`` as sent by Acme and delivered to Bakker's inbox, with its history."""
    with portal.sessions.begin() as session:
        row = InvoiceRow(
            state=InvoiceState.DELIVERED,
            sender_company_id=world.acme_admin.company_id,
            recipient_company_id=world.bakker_admin.company_id,
            inbox_company_id=world.bakker_admin.company_id,
            channel=DeliveryChannel.PORTAL,
            delivered_at=AT,
            read_at=AT if read else None,
        )
        apply_invoice(row, invoice)
        row.deliveries = [
            DeliveryEvent(at=AT, channel=DeliveryChannel.PORTAL, state=InvoiceState.SENDING,
                          detail="claimed: 1"),
            DeliveryEvent(at=AT, channel=DeliveryChannel.PORTAL, state=InvoiceState.DELIVERED,
                          detail="inbox: Bakker BV"),
        ]  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


async def open_view(app: PortalApp, pilot: Pilot, invoice_id: int) -> InvoiceViewScreen:
    await settle(pilot)
    screen = InvoiceViewScreen(invoice_id)
    await app.push_screen(screen)
    await settle(pilot)
    return screen


async def scrolled_text(app: PortalApp, pilot: Pilot) -> str:
    view = app.screen.query_one("#invoice-view")
    view.scroll_home(animate=False)
    await pilot.pause()
    seen = [screen_text(app)]
    while view.scroll_y < view.max_scroll_y:
        view.scroll_to(y=view.scroll_y + max(1, view.size.height - 2), animate=False)
        await pilot.pause()
        seen.append(screen_text(app))
    return "\n".join(seen)


async def test_sender_sees_every_part_of_the_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=BIG) as pilot:
        await open_view(app, pilot, invoice_id)
        text = await scrolled_text(app, pilot)
    expected = [
        "Invoice ACME-2024-0042 · Sent · Delivered",
        f"Invoice id          {invoice_id}",
        # parties and identifiers
        "Seller", "Acme AB", "Storgatan 1", "111 22 Stockholm", "Sweden", "5560360793",
        "SE556036079301", "0007:5560360793", "Godkänd för F-skatt", "Åsa Öberg",
        "Buyer", "Bakker BV", "Hamngatan 12", "5567037485", "0007:5567037485",
        # dates and references
        "Issue date", "May 14, 2024", "Due date", "Jun 13, 2024", "Delivery date",
        "Apr 30, 2024", "Order reference", "PO-77812", "Contract reference", "AVTAL-2024-117",
        "Buyer reference", "Jörgen Ärlig", "Konsulttjänster",
        # lines with notes
        "3 lines", "Konsulttimmar systemutveckling 1", "Note: Enligt avtal 2024-117",
        "Lokalhyra Storgatan 2", "Elförbrukning 3", "Note: Mätarställning avläst 30/4",
        "Discount 10%: Mängdrabatt", "Item no. ART-0001", "hours", "months", "kWh",
        "950.00", "25%",
        # allowances, VAT, totals
        "Allowances and charges", "Allowance: Stamkundsrabatt", "-SEK100.00",
        "VAT breakdown", "Standard rate", "Taxable amount", "Totals", "Sum of lines",
        "Total excl. VAT", "Total incl. VAT", "Amount due",
        # payment and notes
        "Payment", "Credit transfer", "SE45 5000 0000 0583 9825 7466", "ESSESESS",
        "4200420424", "30 dagar netto", "Notes", "Tack för er beställning!",
        "Övriga villkor",
        # attachments and history
        "Attachments", "tidrapport-april.pdf", "Tidrapport april (översikt)", "File, 15 bytes",
        "SPEC-1", "link: https://x.example/s",
        "Delivery history", "Sending, attempt 1", "Delivered to the portal inbox of Bakker BV",
        "Portal",
    ]  # fmt: skip
    missing = [part for part in expected if part not in text]
    assert missing == [], text
    detail = invoices.get_invoice(portal, world.acme_admin.actor, invoice_id)
    assert app.t.money(detail.totals.payable, "SEK") in text
    # the sender's opening does not mark the recipient's copy read
    assert not detail.read


async def test_opening_a_received_invoice_marks_it_read(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    assert not invoices.get_invoice(portal, world.bakker_member.actor, invoice_id).read
    app = make_app("main", world.bakker_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_view(app, pilot, invoice_id)
        text = screen_text(app)
        assert "Invoice ACME-2024-0042 · Received · Delivered" in text
        assert invoices.get_invoice(portal, world.bakker_member.actor, invoice_id).read
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen


async def test_another_companys_invoice_is_not_shown(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    other = invoices.create_invoice(portal, world.bakker_admin.actor, sample())
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        await open_view(app, pilot, other)
        text = screen_text(app)
        assert "Not found." in text and "Bakker BV" not in text.split("\n", 1)[1]
    assert invoice_id != other


async def test_enter_on_an_attachment_saves_it_to_downloads(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    app = make_app("main", world.bakker_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_view(app, pilot, invoice_id)
        table = screen.query_one(AttachmentTable)
        table.focus()
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "Save attachment" in footer
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Saved to /downloads/tidrapport-april.pdf (15 bytes)" in text, text
        assert (
            "sftp -P 2222 els@bakker.nl@portal.example:/downloads/tidrapport-april.pdf" in text
        ), text
        files = UserFiles.from_settings(portal.settings, world.bakker_member.user_id)
        assert files.read_download("tidrapport-april.pdf") == b"%PDF-1.4 sample"
        # the second attachment is a link: nothing to save, and the screen says why
        await pilot.press("down", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "This attachment is a link, not a file: https://x.example/s" in text
        assert files.list_downloads()[0].name == "tidrapport-april.pdf"
        assert len(files.list_downloads()) == 1


HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\u202e"


async def test_text_from_the_invoice_is_inert(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice = sample()
    invoice.notes = [f"Note {HOSTILE} [b]bold[/b] end"]
    invoice.lines[0].name = f"Line {HOSTILE} [red]x[/red]"
    invoice.lines[0].note = f"Line note {HOSTILE}"
    invoice.seller.name = f"Seller {HOSTILE}"
    invoice.attachments[0].filename = f"a{HOSTILE}.pdf"
    invoice_id = store(portal, world, invoice)
    app = make_app("main", world.bakker_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        await open_view(app, pilot, invoice_id)
        text = await scrolled_text(app, pilot)
    for control in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert control not in text
    assert "[b]bold[/b] end" in text  # shown as typed, never taken as markup
    assert "Line  ]52;c;ZXZpbA==  [2J 31m  [red]x[/red]" in text
    assert "Seller  ]52;c;ZXZpbA==" in text


async def test_a_links_address_in_the_refusal_is_inert(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    """Saving a link attachment is refused with its address: the sender's text."""
    invoice = sample()
    invoice.attachments[1].external_uri = f"https://x.example/{HOSTILE}"
    invoice_id = store(portal, world, invoice)
    app = make_app("main", world.bakker_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_view(app, pilot, invoice_id)
        screen.query_one(AttachmentTable).focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        shown = str(screen.query_one("#iv-saved", Static).content)
        text = screen_text(app)
    assert "This attachment is a link, not a file: https://x.example/ ]52;c;" in shown, repr(shown)
    for control in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert control not in shown and control not in text


async def test_strings_are_translated_and_follow_a_language_switch(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=BIG) as pilot:
        await open_view(app, pilot, invoice_id)
        assert "[sv]" not in screen_text(app)
        await app.set_language("sv")
        await settle(pilot)
        text = await scrolled_text(app, pilot)
    for label in (
        "[sv]Invoice ACME-2024-0042 · [sv]Sent · [sv]Delivered",
        "[sv]Seller", "[sv]Buyer", "[sv]Org. no.", "[sv]Issue date", "[sv]Due date",
        "[sv]Description", "[sv]Quantity", "[sv]Unit price", "[sv]Note: Enligt avtal",
        "[sv]VAT breakdown", "[sv]Totals", "[sv]Amount due", "[sv]Payment",
        "[sv]Payment terms", "[sv]Notes", "[sv]Attachments", "[sv]File",
        "[sv]Delivery history", "[sv]Sending, attempt 1", "[sv]Back", "[sv]Invoice Portal",
    ):  # fmt: skip
        assert label in text, label
    # Swedish number and date formats
    assert "14 maj 2024" in text and "950,00" in text


async def test_support_key_opens_a_new_case_for_the_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice_id = store(portal, world, sample())
    app = make_app("main", world.bakker_member.user_id)
    async with app.run_test(size=BIG) as pilot:
        await open_view(app, pilot, invoice_id)
        assert "^s Support case" in screen_text(app).splitlines()[-1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.invoice_id == invoice_id
