"""The invoice or credit note as a PDF for people, in the reader's language (fpdf2).

``render_pdf(invoice, t)`` lays the document out (``pdf_sections`` on ``pdf_layout``) and draws
the pages with fpdf2 and the embedded Open Sans (``fonts``). Labels come from ``t``; dates and
amounts are formatted by Babel in ``t.locale``.
"""

from __future__ import annotations

from fpdf import FPDF

from ..domain.invoice import Invoice
from ..domain.totals import compute_totals
from ..i18n import Translator
from . import fonts, pdf_sections
from .pdf_layout import PAGE_HEIGHT, PAGE_WIDTH, Band, Op, Rule, Sheet, Text

INK = (25, 25, 25)
MUTED = (110, 110, 110)
BAND = (234, 236, 240)
RULE = (200, 200, 200)


def layout_invoice(invoice: Invoice, t: Translator) -> list[list[Op]]:
    """The pages of ``invoice`` as drawing operations (mm from the top-left corner)."""
    totals = compute_totals(invoice)
    sheet = Sheet()
    pdf_sections.header(sheet, invoice, t)
    pdf_sections.parties(sheet, invoice, t)
    pdf_sections.lines_table(sheet, invoice, totals, t)
    pdf_sections.allowances_charges(sheet, invoice, t)
    pdf_sections.vat_and_totals(sheet, invoice, totals, t)
    pdf_sections.payment(sheet, invoice, totals, t)
    pdf_sections.notes(sheet, invoice, t)
    pdf_sections.attachments(sheet, invoice, t)
    pdf_sections.footers(sheet.pages, invoice, t)
    return sheet.pages


def render_pdf(invoice: Invoice, t: Translator) -> bytes:
    """``invoice`` as PDF bytes in ``t``'s language."""
    pages = layout_invoice(invoice, t)
    title = pdf_sections.document_title(invoice, t)
    return draw_pages(
        pages, title=title, author=fonts.clean_text(invoice.seller.name), lang=t.locale
    )


def draw_pages(
    pages: list[list[Op]], *, title: str = "", author: str = "", lang: str = ""
) -> bytes:
    """Draw laid-out pages with fpdf2 (A4, the embedded font) and return the PDF bytes."""
    pdf = FPDF(unit="mm", format=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("Invoice Portal")
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if lang:
        pdf.set_lang(lang)
    fonts.install(pdf)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    for ops in pages:
        pdf.add_page()
        _draw(pdf, ops)
    return bytes(pdf.output(output_producer_class=fonts.FontOutputProducer))


def _draw(pdf: FPDF, ops: list[Op]) -> None:
    font: tuple[bool, float] | None = None
    muted: bool | None = None
    text = pdf.text
    for op in ops:
        kind = type(op)
        if kind is Text:
            assert isinstance(op, Text)
            if (op.bold, op.size) != font:
                font = (op.bold, op.size)
                pdf.set_font(fonts.FAMILY, fonts.BOLD if op.bold else fonts.REGULAR, op.size)
            if op.muted is not muted:
                muted = op.muted
                color = MUTED if muted else INK
                pdf.set_text_color(*color)
                pdf.set_fill_color(*color)  # fpdf2 brackets each text with q/Q if they differ
            text(op.x, op.y, op.text)
        elif kind is Rule:
            assert isinstance(op, Rule)
            pdf.line(op.x1, op.y, op.x2, op.y)
        else:
            assert isinstance(op, Band)
            pdf.set_fill_color(*BAND)
            pdf.rect(op.x, op.y, op.w, op.h, style="F")
            color = MUTED if muted else INK
            pdf.set_fill_color(*color)
