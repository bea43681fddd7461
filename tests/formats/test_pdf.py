"""The invoice PDF: text of every page read back with pypdf, in en, nl and sv; the embedded
font; hostile text; the shared font across documents and threads."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from backend.domain.invoice import InvoiceLine
from backend.domain.totals import compute_totals
from backend.domain.vat import VatCategory
from backend.formats import fonts
from backend.formats.pdf import layout_invoice, render_pdf
from backend.formats.pdf_layout import BOTTOM, Text
from backend.formats.pdf_sections import NumberFormat
from backend.i18n import translator

from .invoice_samples import credit_note, dutch_invoice, swedish_invoice


def _norm(text: str) -> str:
    """Whitespace (including no-break spaces and line ends) collapsed to single spaces."""
    return " ".join(text.replace("\xa0", " ").split())


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [_norm(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_swedish_invoice_of_200_lines_reads_back_page_by_page() -> None:
    t = translator("sv")
    invoice = swedish_invoice(lines=200)
    pages = _pages(render_pdf(invoice, t))
    count = len(pages)
    assert count >= 5
    for number, text in enumerate(pages, start=1):
        assert _norm(t("Page {page} of {pages}", page=number, pages=count)) in text
    # Every line's name on some page, and the table header on every page with lines.
    for line in invoice.lines:
        assert any(_norm(line.name) in text for text in pages), line.name
    for text in pages:
        if any(_norm(line.name) in text for line in invoice.lines):
            assert _norm(t("Unit price")) in text and _norm(t("Description")) in text
    everything = " ".join(pages)
    for char in "åäöéü€ÅÄÖ":
        assert char in everything, char
    totals = compute_totals(invoice)
    last = pages[-1]
    assert _norm(t("Amount due")) in last
    assert _norm(t.money(totals.payable, "SEK")) in last
    assert _norm(t.money(totals.tax_total, "SEK")) in last
    assert _norm(t("VAT breakdown")) in last
    # Swedish formatting from Babel, whatever the catalog says.
    assert "1 885 365,38 kr" in last
    assert "13 juni 2024" in pages[0]


def test_embedded_font_is_a_valid_subset_with_the_nordic_letters() -> None:
    data = render_pdf(swedish_invoice(lines=6), translator("sv"))
    reader = PdfReader(io.BytesIO(data))
    programs = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            programs[str(font["/BaseFont"])] = descriptor["/FontFile2"].get_object().get_data()
    assert len(programs) == 2  # regular and bold, each embedded once
    full_size = len(fonts._FILES[fonts.REGULAR].read_bytes())
    for name, program in programs.items():
        tag, _, family = name.lstrip("/").partition("+")
        assert len(tag) == 6 and tag.isupper() and family.startswith("OpenSans")
        assert len(program) < full_size / 2
        subset = TTFont(io.BytesIO(program))
        subset.ensureDecompiled()  # every table parses
        glyf = subset["glyf"]
        order = subset.getGlyphOrder()
        drawn = sum(1 for glyph in order if glyf[glyph].numberOfContours != 0)
        assert 20 < drawn < len(order) / 4  # a subset, not the whole font
    regular = next(p for n, p in programs.items() if n.endswith("OpenSans"))
    subset = TTFont(io.BytesIO(regular))
    cmap = subset.getBestCmap()
    for char in "åäöéü€":
        glyph = subset["glyf"][cmap[ord(char)]]
        # å and ä are composites: their components must have come along
        assert glyph.numberOfContours != 0, char
        for component in glyph.getComponentNames(subset["glyf"]):
            assert subset["glyf"][component].numberOfContours != 0, (char, component)


def test_english_labels_amounts_and_payment_details() -> None:
    t = translator("en")
    invoice = dutch_invoice()
    pages = _pages(render_pdf(invoice, t))
    assert len(pages) == 1
    text = pages[0]
    for label in (
        "Invoice",
        "Seller",
        "Buyer",
        "Invoice number",
        "Issue date",
        "Due date",
        "Buyer reference",
        "Order reference",
        "Description",
        "Quantity",
        "Unit price",
        "VAT breakdown",
        "Taxable amount",
        "Sum of lines",
        "Allowances",
        "Charges",
        "Total excl. VAT",
        "Total incl. VAT",
        "Prepaid amount",
        "Rounding",
        "Amount due",
        "Payment reference",
        "Payment terms",
        "Notes",
        "Page 1 of 1",
    ):
        assert label in text, label
    assert "BDV-2024-1001" in text
    assert "May 14, 2024" in text and "Jun 13, 2024" in text
    assert "€530.88" in text  # amount due
    assert "-€100.00" in text  # prepaid, shown as a deduction
    assert "NL91 ABNA 0417 1643 00" in text and "ABNANL2A" in text
    assert "1234567890123456" in text
    assert "Org. no. 63548211" in text and "VAT no. NL908301662B01" in text
    assert "Peppol ID 0106:63548211" in text
    assert "Exemption reason: Vrijgesteld onderwijs (art. 11 Wet OB)" in text
    assert "Catering crème brûlée" in text and "2.5" in text and "hours" in text
    assert "Klantkorting" in text and "Bezorgkosten" in text
    assert "Exempt from VAT" in text


def test_dutch_document_uses_dutch_catalog_and_formatting() -> None:
    t = translator("nl")
    invoice = dutch_invoice()
    text = _pages(render_pdf(invoice, t))[0]
    for msgid in ("Invoice", "Due date", "Amount due", "Payment reference", "VAT breakdown"):
        assert _norm(t(msgid)) in text, msgid
    assert _norm(t("Page {page} of {pages}", page=1, pages=1)) in text
    assert "14 mei 2024" in text and "13 jun 2024" in text
    assert "€ 530,88" in text
    assert "Zweden" not in text and "Nederland" in text  # country names in Dutch
    assert "Broodjes gezond" in text and "258,00" in text  # 120 × 2,15


def test_credit_note_is_titled_as_such_and_names_the_credited_invoice() -> None:
    t = translator("en")
    note = credit_note()
    text = _pages(render_pdf(note, t))[0]
    assert text.startswith("Seller") or "Credit note" in text
    assert "Credit note for invoice ACME-2024-0042" in text
    assert "Credit note number" in text and "ACME-2024-0050" in text
    assert "Credited invoice ACME-2024-0042 (May 14, 2024)" in text
    assert "Amount to be credited" in text
    assert "Invoice number" not in text and "Amount due" not in text
    sv = translator("sv")
    text_sv = _pages(render_pdf(note, sv))[0]
    assert _norm(sv("Credit note")) in text_sv


def test_text_from_other_companies_is_made_safe() -> None:
    invoice = swedish_invoice(lines=2)
    invoice.seller.name = "Evil\x07 Corp\u202e AB\x00 漢字"
    invoice.lines[0].name = "Line\r\nwith\tcontrols\x1b[31m"
    invoice.notes = ["x" * 200_000]  # capped, not hundreds of pages
    invoice.lines[1].quantity = Decimal("0." + "0" * 20_000 + "1")  # shown with 8 decimals
    data = render_pdf(invoice, translator("en"))
    pages = _pages(data)
    everything = " ".join(pages)
    assert "Evil Corp AB ??" in everything
    assert "Line with controls[31m" in everything
    assert not any(ord(char) < 32 or char == "\u202e" for char in everything)
    assert len(pages) <= 3
    assert "0.00000000" in everything and "0" * 20 not in everything


def test_clean_text() -> None:
    assert fonts.clean_text("plain ASCII") == "plain ASCII"
    assert fonts.clean_text("e\u0301t\u00e9") == "été"  # NFC
    assert fonts.clean_text("a\x00b\u200bc\u202ed") == "abcd"
    assert fonts.clean_text("one\ntwo\tthree") == "one two three"
    assert fonts.clean_text("one\r\ntwo", multiline=True) == "one\ntwo"
    assert fonts.clean_text("Łódź – 5 € ÅÄÖ") == "Łódź – 5 € ÅÄÖ"
    assert fonts.clean_text("東京") == "??"
    bold = fonts.face(fonts.BOLD)
    assert all(bold.has_glyph(char) for char in fonts._printable())


def test_a_line_longer_than_a_page_continues_on_the_next_with_the_header() -> None:
    t = translator("en")
    invoice = swedish_invoice(lines=3)
    invoice.lines[1].description = "\n".join(f"Detail {i}" for i in range(120))
    pages = layout_invoice(invoice, t)
    assert len(pages) >= 2
    texts = [[op.text for op in ops if isinstance(op, Text)] for ops in pages]
    assert all("Unit price" in page for page in texts[:2])
    assert any("Detail 0" in page for page in texts) and any("Detail 119" in page for page in texts)
    for ops in pages:
        assert all(op.y <= BOTTOM + 12 for op in ops if isinstance(op, Text))


def test_quantities_and_prices_keep_their_decimals() -> None:
    invoice = swedish_invoice(lines=1)
    invoice.lines = [
        InvoiceLine(
            id="1",
            name="Precise",
            quantity=Decimal("1.2345"),
            unit_code="KGM",
            net_price=Decimal("10.125"),
            base_quantity=Decimal(10),
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal(25),
        )
    ]
    text = _pages(render_pdf(invoice, translator("en")))[0]
    assert "1.2345" in text and "10.125" in text and "kg" in text
    assert "Price per 10 kg" in text


@pytest.mark.parametrize("locale", ["en", "nl", "sv"])
def test_table_number_format_equals_babel(locale: str) -> None:
    t = translator(locale)
    numbers = NumberFormat.of(locale)
    assert numbers is not None
    values = ["0", "0.5", "-0.58", "7", "999.995", "1000", "-1234.5", "1234567.891", "-98765432.1"]
    for value in map(Decimal, values):
        for decimals in (0, 2, 3, 4):
            assert numbers.format(value, decimals) == t.number(value, decimals), (value, decimals)


def test_fonts_are_shared_across_documents_and_threads() -> None:
    assert fonts.face(fonts.REGULAR) is fonts.face(fonts.REGULAR)
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def render(worker: int) -> None:
        try:
            invoice = swedish_invoice(lines=3)
            invoice.lines = [
                replace(line, name=f"Tråd {worker} rad {line.id}") for line in invoice.lines
            ]
            results[worker] = [
                _pages(render_pdf(invoice, translator(("en", "nl", "sv")[worker % 3])))[0]
                for _ in range(3)
            ]
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=render, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for worker, texts in results.items():
        for text in texts:
            for line in range(1, 4):
                assert f"Tråd {worker} rad {line}" in text
            assert all(f"Tråd {other} " not in text for other in results if other != worker)
