"""PDF time per document: fpdf2 (what the portal uses) against reportlab, the same content.

Both draw the same 20-line Swedish invoice, laid out once by the same code
(``backend.formats.pdf.layout_invoice``) each time, with the same TrueType font (Open Sans
from the ttf-opensans package). fpdf2 is timed through ``render_pdf`` (layout + drawing + output,
what a user waits for); reportlab draws the same laid-out operations with a ``TTFont``
registered once (layout included too, so the difference is the PDF library). For scale, a
tenth as many documents go through fpdf2 used plainly (``add_font`` and fpdf2's own font
subsetting per document, ``naive_fpdf2_ms``). Documents are
rendered in turns, fpdf2 and reportlab alternately, so that both see the same machine state.

Run alone: ``.venv/bin/python scripts/bench_formats_pdf.py [N]``; ``scripts/bench formats``
calls ``bench_pdf``.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.domain.invoice import Invoice  # noqa: E402
from backend.formats import fonts  # noqa: E402
from backend.formats.pdf import BAND as BAND_COLOR  # noqa: E402
from backend.formats.pdf import INK, MUTED, RULE, layout_invoice, render_pdf  # noqa: E402
from backend.formats.pdf_layout import PAGE_HEIGHT, PAGE_WIDTH, Band, Op, Rule, Text  # noqa: E402
from backend.i18n import Translator, translator  # noqa: E402
from tests.formats.invoice_samples import swedish_invoice  # noqa: E402

MM = 72 / 25.4  # points per mm


def _reportlab_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = ("OpenSans", "OpenSans-Bold")
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        for name, style in zip(names, (fonts.REGULAR, fonts.BOLD), strict=True):
            pdfmetrics.registerFont(TTFont(name, str(fonts._FILES[style])))
    return names


def render_reportlab(invoice: Invoice, t: Translator) -> bytes:
    """The same pages as ``render_pdf``, drawn with reportlab."""
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _reportlab_fonts()
    pages = layout_invoice(invoice, t)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH * MM, PAGE_HEIGHT * MM))
    for ops in pages:
        _draw_reportlab(canvas, ops, regular, bold)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rgb(color: tuple[int, int, int]) -> tuple[float, float, float]:
    return color[0] / 255, color[1] / 255, color[2] / 255


def _draw_reportlab(canvas, ops: list[Op], regular: str, bold: str) -> None:
    canvas.setLineWidth(0.2 * MM)
    canvas.setStrokeColorRGB(*_rgb(RULE))
    font = None
    muted = None
    for op in ops:
        if isinstance(op, Text):
            if (op.bold, op.size) != font:
                font = (op.bold, op.size)
                canvas.setFont(bold if op.bold else regular, op.size)
            if op.muted is not muted:
                muted = op.muted
                canvas.setFillColorRGB(*_rgb(MUTED if muted else INK))
            canvas.drawString(op.x * MM, (PAGE_HEIGHT - op.y) * MM, op.text)
        elif isinstance(op, Rule):
            y = (PAGE_HEIGHT - op.y) * MM
            canvas.line(op.x1 * MM, y, op.x2 * MM, y)
        elif isinstance(op, Band):
            canvas.setFillColorRGB(*_rgb(BAND_COLOR))
            canvas.rect(op.x * MM, (PAGE_HEIGHT - op.y - op.h) * MM, op.w * MM, op.h * MM,
                        stroke=0, fill=1)  # fmt: skip
            canvas.setFillColorRGB(*_rgb(MUTED if muted else INK))


def render_naive_fpdf2(invoice: Invoice, t: Translator) -> bytes:
    """The same pages with fpdf2 used plainly: ``add_font`` per document (fontTools parses the
    TTF each time) and fpdf2's own output (the fontTools subsetter) - what the portal avoids."""
    from fpdf import FPDF

    from backend.formats.pdf import _draw

    pdf = FPDF(unit="mm", format=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    for style in (fonts.REGULAR, fonts.BOLD):
        pdf.add_font(fonts.FAMILY, style, fonts._FILES[style])
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    for ops in layout_invoice(invoice, t):
        pdf.add_page()
        _draw(pdf, ops)
    return bytes(pdf.output())


def bench_pdf(n: int = 200) -> dict:
    """Milliseconds per document for fpdf2 and reportlab over ``n`` documents each."""
    invoice = swedish_invoice(lines=20)
    t = translator("sv")
    for _ in range(3):  # warm up: font parsing, Babel data, imports
        render_pdf(invoice, t)
        render_reportlab(invoice, t)
    fpdf_total = reportlab_total = 0.0
    for _ in range(n):
        start = time.perf_counter()
        render_pdf(invoice, t)
        middle = time.perf_counter()
        render_reportlab(invoice, t)
        fpdf_total += middle - start
        reportlab_total += time.perf_counter() - middle
    naive_n = max(1, n // 10)  # slow: a tenth of the documents tells enough
    naive_start = time.perf_counter()
    for _ in range(naive_n):
        render_naive_fpdf2(invoice, t)
    naive_total = time.perf_counter() - naive_start
    layout_start = time.perf_counter()
    for _ in range(n):
        layout_invoice(invoice, t)
    layout_total = time.perf_counter() - layout_start
    return {
        "pdf_ms": round(fpdf_total / n * 1000, 2),
        "reportlab_pdf_ms": round(reportlab_total / n * 1000, 2),
        "layout_ms": round(layout_total / n * 1000, 2),
        "naive_fpdf2_ms": round(naive_total / naive_n * 1000, 2),
        "documents": n,
    }


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 200
    result = bench_pdf(n)
    print(
        f"PDF, 20 lines, {n} documents: fpdf2 {result['pdf_ms']} ms, reportlab "
        f"{result['reportlab_pdf_ms']} ms per document "
        f"({result['pdf_ms'] / result['reportlab_pdf_ms']:.2f}x); shared layout "
        f"{result['layout_ms']} ms of each; fpdf2 without the shared font "
        f"{result['naive_fpdf2_ms']} ms"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
