"""The sections of the invoice PDF, laid out on a ``Sheet`` in the reader's language.

Order: seller and document details, buyer (and delivery, payee), the lines table (header
repeated on every page), document allowances and charges, VAT breakdown beside the totals,
payment instructions, notes, attachments, and a footer with "Page n of m" on every page.

Every text that comes from the invoice (another company wrote it) goes through ``_plain`` or
``_para``: control and format characters removed, characters the font lacks replaced, and a
length cap so that a hostile document cannot make a PDF of thousands of pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_decimal, format_percent

from ..domain.errors import N_
from ..domain.invoice import Address, AllowanceCharge, Invoice, InvoiceLine, Party, PaymentMeans
from ..domain.totals import Totals
from ..domain.vat import CATEGORY_LABELS, VatCategory
from ..i18n import Translator
from . import fonts
from .pdf_layout import (
    BOTTOM,
    LEFT,
    PAGE_HEIGHT,
    PT,
    RIGHT,
    TOP,
    Band,
    Box,
    Rule,
    Sheet,
    Text,
    fit,
    line_height,
    width,
    wrap,
)

BODY = 8.5  # pt
SMALL = 7.5
LABEL = 7.0
MAX_FIELD = 300  # characters kept of a one-line field from the invoice
MAX_TEXT = 3000  # characters kept of a free text (note, description)
MAX_DECIMALS = 8  # decimals shown of a quantity or price

UNIT_LABELS = {
    "H87": N_("pcs"),
    "C62": N_("pcs"),
    "EA": N_("pcs"),
    "HUR": N_("hours"),
    "MIN": N_("minutes"),
    "DAY": N_("days"),
    "WEE": N_("weeks"),
    "MON": N_("months"),
    "ANN": N_("years"),
    "SET": N_("sets"),
}
# International symbols: the same in every language.
UNIT_SYMBOLS = {
    "KGM": "kg", "GRM": "g", "TNE": "t", "MTR": "m", "KMT": "km", "MTK": "m²", "MTQ": "m³",
    "LTR": "l", "KWH": "kWh", "MWH": "MWh",
}  # fmt: skip

PAYMENT_MEANS = {
    "1": N_("Payment method not specified"),
    "10": N_("Cash"),
    "30": N_("Credit transfer"),
    "31": N_("Debit transfer"),
    "42": N_("Payment to bank account"),
    "48": N_("Bank card"),
    "49": N_("Direct debit"),
    "57": N_("Standing agreement"),
    "58": N_("SEPA credit transfer"),
    "59": N_("SEPA direct debit"),
    "97": N_("Clearing between partners"),
}

# The lines table: x of each column (right edge for the numbers).
COL_ID = LEFT
COL_TEXT = LEFT + 8
TEXT_WIDTH = 73.0
COL_QTY_RIGHT = 113.0
COL_UNIT = 115.0
COL_PRICE_RIGHT = 150.0
COL_VAT_RIGHT = 164.0
COL_AMOUNT_RIGHT = RIGHT
HALF = 105.0  # the right-hand column of two-column sections starts here (+ a gap)


def _plain(text: str, limit: int = MAX_FIELD) -> str:
    return fonts.clean_text(_cap(text, limit))


def _para(text: str, limit: int = MAX_TEXT) -> str:
    return fonts.clean_text(_cap(text, limit), multiline=True)


def _cap(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """Babel's grouped decimal format of one locale (``t.number(value, decimals)``), applied
    with Python's own formatting: a table of 20 lines formats ~80 numbers, and Babel takes
    ~25 µs for each. The symbols are read from Babel's output, and a test checks that both
    agree in every locale."""

    negative: str
    group: str
    decimal: str

    @classmethod
    @cache
    def of(cls, locale: str) -> NumberFormat | None:
        sample = format_decimal(Decimal("-1234567.5"), format="#,##0.0", locale=locale)
        found = _SAMPLE.fullmatch(sample)
        if found is None:  # grouping other than by three, or digits that are not 0-9
            return None
        negative, group, group2, decimal, suffix = found.groups()
        if group != group2 or suffix:
            return None
        return cls(negative, group, decimal)

    def format(self, value: Decimal, decimals: int) -> str:
        text = f"{abs(value):,.{decimals}f}".translate({44: self.group, 46: self.decimal})
        return self.negative + text if value < 0 else text


_SAMPLE = re.compile(r"(\D*)1(\D)234(\D)567(\D)5(\D*)")


def _number(t: Translator, value: Decimal, decimals: int) -> str:
    numbers = NumberFormat.of(t.locale)
    return numbers.format(value, decimals) if numbers else t.number(value, decimals)


def _exact(t: Translator, value: Decimal, least: int = 0) -> str:
    """``value`` with all its decimals (at least ``least``): quantities and prices are shown as
    given, never rounded for display."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    # A hostile file may carry thousands of decimals; nothing real needs more than these.
    return _number(t, value, min(max(least, decimals), MAX_DECIMALS))


def _percent(t: Translator, rate: Decimal) -> str:
    return format_percent(rate / 100, locale=t.locale, decimal_quantization=False)


def _date(t: Translator, value: date | None) -> str:
    return t.date(value, "medium")


def _period(t: Translator, start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{_date(t, start)} – {_date(t, end)}"


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def _address_lines(address: Address, t: Translator) -> list[str]:
    city = " ".join(filter(None, (_plain(address.postal_code), _plain(address.city))))
    country = _territories(t.locale).get(address.country_code.upper(), "")
    country = country or _plain(address.country_code)
    parts = (_plain(address.street), _plain(address.additional_street), city)
    return [*filter(None, parts), *filter(None, (_plain(address.subdivision), country))]


def _vat_label(t: Translator, category: VatCategory, rate: Decimal | None) -> str:
    if category is VatCategory.STANDARD and rate is not None:
        return _percent(t, rate)
    return category.value


def _unit(t: Translator, code: str) -> str:
    if code in UNIT_LABELS:
        return t(UNIT_LABELS[code])
    return UNIT_SYMBOLS.get(code) or _plain(code, 8)


_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")


def _iban(value: str) -> str:
    """An IBAN in groups of four, as printed on paper; anything else as it is."""
    compact = _plain(value).replace(" ", "")
    if not _IBAN.fullmatch(compact):
        return _plain(value)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _title(invoice: Invoice, t: Translator) -> str:
    return t("Credit note") if invoice.is_credit_note else t("Invoice")


def document_title(invoice: Invoice, t: Translator) -> str:
    """E.g. "Invoice ACME-2024-0042", for the PDF's metadata."""
    return f"{_title(invoice, t)} {_plain(invoice.number, 60)}"


# --- seller and document details --------------------------------------------------------


def _party_box(party: Party, heading: str, t: Translator, x: float, max_width: float) -> Box:
    box = Box()
    box.text(x, heading, LABEL, muted=True)
    box.lines(x, _plain(party.name) or "-", 10.0, max_width, bold=True)
    if party.trading_name and party.trading_name != party.name:
        box.lines(x, _plain(party.trading_name), BODY, max_width)
    for line in _address_lines(party.address, t):
        box.lines(x, line, BODY, max_width)
    box.gap(1.0)
    identifiers = (
        (t("Org. no."), party.legal_id),
        (t("VAT no."), party.vat_number),
        (t("Peppol ID"), str(party.endpoint) if party.endpoint else ""),
    )
    for label, value in identifiers:
        if value:
            box.lines(x, f"{label} {_plain(value)}", SMALL, max_width)
    if party.tax_registration_id:
        box.lines(x, _plain(party.tax_registration_id), SMALL, max_width)
    contact = party.contact
    details = ", ".join(filter(None, map(_plain, (contact.name, contact.phone, contact.email))))
    if details:
        box.lines(x, t("Contact: {details}", details=details), SMALL, max_width)
    return box


def _details(invoice: Invoice, t: Translator) -> list[tuple[str, str]]:
    credit = invoice.is_credit_note
    rows = [
        (t("Credit note number") if credit else t("Invoice number"), _plain(invoice.number)),
        (t("Issue date"), _date(t, invoice.issue_date)),
        (t("Due date"), _date(t, invoice.due_date)),
        (t("Invoice period"), _period(t, invoice.period_start, invoice.period_end)),
        (t("Tax point date"), _date(t, invoice.tax_point_date)),
        (t("Buyer reference"), _plain(invoice.buyer_reference)),
        (t("Order reference"), _plain(invoice.order_reference)),
        (t("Contract reference"), _plain(invoice.contract_reference)),
        (t("Project reference"), _plain(invoice.project_reference)),
    ]
    for reference in invoice.preceding_invoices:
        label = t("Credited invoice") if credit else t("Preceding invoice")
        issued = f" ({_date(t, reference.issue_date)})" if reference.issue_date else ""
        rows.append((label, _plain(reference.number) + issued))
    rows.append((t("Currency"), _plain(invoice.currency, 3)))
    return [(label, value) for label, value in rows if value]


def _document_box(invoice: Invoice, t: Translator, x: float) -> Box:
    box = Box()
    box.text(x, _title(invoice, t), 18.0, bold=True)
    if invoice.is_credit_note and invoice.preceding_invoices:
        numbers = ", ".join(_plain(ref.number) for ref in invoice.preceding_invoices)
        box.lines(x, t("Credit note for invoice {number}", number=numbers), BODY, RIGHT - x)
    box.gap(2.0)
    value_x = x + 32
    for label, value in _details(invoice, t):
        lines = wrap(value, BODY, RIGHT - value_x)
        box.height += line_height(BODY)
        baseline = box.height - BODY * PT * 0.3
        box.ops.append(Text(x, baseline, label, LABEL, muted=True))
        box.ops.append(Text(value_x, baseline, lines[0], BODY))
        for more in lines[1:]:
            box.text(value_x, more, BODY)
    return box


def header(sheet: Sheet, invoice: Invoice, t: Translator) -> None:
    seller = _party_box(invoice.seller, t("Seller"), t, LEFT, HALF - LEFT - 5)
    sheet.place([seller, _document_box(invoice, t, HALF + 15)], gap=8.0)


def parties(sheet: Sheet, invoice: Invoice, t: Translator) -> None:
    boxes = [_party_box(invoice.buyer, t("Buyer"), t, LEFT, HALF - LEFT - 5)]
    delivery = invoice.delivery
    if delivery is not None:
        box = Box()
        x = HALF + 15
        box.text(x, t("Delivery"), LABEL, muted=True)
        if delivery.party_name:
            box.lines(x, _plain(delivery.party_name), BODY, RIGHT - x, bold=True)
        for line in _address_lines(delivery.address, t) if delivery.address else []:
            box.lines(x, line, BODY, RIGHT - x)
        if delivery.location_id:
            box.lines(x, t("Location {id}", id=_plain(delivery.location_id)), SMALL, RIGHT - x)
        if delivery.date:
            box.text(x, t("Delivery date {date}", date=_date(t, delivery.date)), SMALL)
        boxes.append(box)
    elif invoice.payee is not None:
        boxes.append(_party_box(invoice.payee, t("Payee"), t, HALF + 15, RIGHT - HALF - 15))
    sheet.place(boxes, gap=6.0)
    if delivery is not None and invoice.payee is not None:
        sheet.place([_party_box(invoice.payee, t("Payee"), t, LEFT, HALF - LEFT - 5)], gap=6.0)


# --- the lines table -------------------------------------------------------------------


def _table_header(t: Translator) -> list[Text | Band]:
    height = 6.0
    baseline = 4.2
    size = LABEL

    def right(edge: float, text: str) -> Text:
        return Text(edge - width(text, size, True), baseline, text, size, True)

    return [
        Band(LEFT, 0.0, RIGHT - LEFT, height),
        Text(COL_ID + 1, baseline, "#", size, True),
        Text(COL_TEXT, baseline, t("Description"), size, True),
        right(COL_QTY_RIGHT, t("Quantity")),
        Text(COL_UNIT, baseline, t("Unit"), size, True),
        right(COL_PRICE_RIGHT, t("Unit price")),
        right(COL_VAT_RIGHT, t("VAT")),
        right(COL_AMOUNT_RIGHT - 1, t("Amount")),
    ]


TABLE_HEADER_HEIGHT = 7.0


def _allowance_text(item: AllowanceCharge, t: Translator, currency: str) -> str:
    label = t("Charge") if item.is_charge else t("Discount")
    reason = _plain(item.reason) or _plain(item.reason_code)
    percent = f" {_percent(t, item.percent)}" if item.percent is not None else ""
    amount = t.money(item.amount if item.is_charge else -item.amount, currency)
    return f"{label}{percent}: {reason} {amount}" if reason else f"{label}{percent}: {amount}"


def _line_texts(line: InvoiceLine, t: Translator, currency: str) -> list[tuple[str, float]]:
    """The description column of one line: (text, size) per printed line, name first."""
    texts = [(text, BODY) for text in wrap(_plain(line.name) or "-", BODY, TEXT_WIDTH)]
    extra: list[str] = []
    if line.description:
        extra.append(_para(line.description))
    ids = (
        (t("Item no."), line.seller_item_id),
        (t("Buyer's item no."), line.buyer_item_id),
        (t("Item ID"), line.standard_item_id),
    )
    numbers = "; ".join(f"{label} {_plain(value)}" for label, value in ids if value)
    if numbers:
        extra.append(numbers)
    if line.period_start or line.period_end:
        extra.append(t("Period {period}", period=_period(t, line.period_start, line.period_end)))
    if line.base_quantity != 1:
        extra.append(
            t(
                "Price per {quantity} {unit}",
                quantity=_exact(t, line.base_quantity),
                unit=_unit(t, line.unit_code),
            )
        )
    if line.note:
        extra.append(t("Note: {note}", note=_para(line.note)))
    extra.extend(_allowance_text(item, t, currency) for item in line.allowances_charges)
    for text in extra:
        texts.extend((part, SMALL) for part in wrap(text, SMALL, TEXT_WIDTH))
    return texts


def _line_cells(line: InvoiceLine, net: Decimal, t: Translator, baseline: float) -> list[Text]:
    cells = [
        (COL_QTY_RIGHT, _exact(t, line.quantity)),
        (COL_PRICE_RIGHT, _exact(t, line.net_price, 2)),
        (COL_VAT_RIGHT, _vat_label(t, line.vat_category, line.vat_rate)),
        (COL_AMOUNT_RIGHT - 1, _number(t, net, 2)),
    ]
    ops = [Text(edge - width(text, BODY), baseline, text, BODY) for edge, text in cells]
    unit = fit(_unit(t, line.unit_code), BODY, COL_PRICE_RIGHT - COL_UNIT - 16)
    ops.insert(1, Text(COL_UNIT, baseline, unit, BODY))
    return ops


def lines_table(sheet: Sheet, invoice: Invoice, totals: Totals, t: Translator) -> None:
    header_ops = _table_header(t)

    def start_table() -> None:
        sheet.ops.extend(op._replace(y=op.y + sheet.y) for op in header_ops)
        sheet.y += TABLE_HEADER_HEIGHT

    first = invoice.lines[0] if invoice.lines else None
    first_height = len(_line_texts(first, t, invoice.currency)) * line_height(BODY) if first else 0
    sheet.ensure(TABLE_HEADER_HEIGHT + min(first_height, 30.0))
    start_table()
    full_page = BOTTOM - TOP - TABLE_HEADER_HEIGHT
    for line, net in zip(invoice.lines, totals.line_net_amounts, strict=True):
        texts = _line_texts(line, t, invoice.currency)
        height = sum(line_height(size) for _, size in texts) + 1.5
        if height > sheet.room() and height <= full_page:
            sheet.new_page()
            start_table()
        for index, (text, size) in enumerate(texts):
            step = line_height(size)
            if step > sheet.room():  # a row longer than a page continues on the next
                sheet.new_page()
                start_table()
            sheet.y += step
            baseline = sheet.y - size * PT * 0.3
            if index == 0:  # reading order; the row's style changes twice, as few as can be
                sheet.add(Text(COL_ID + 1, baseline, _plain(line.id, 12), SMALL, muted=True))
                sheet.add(Text(COL_TEXT, baseline, text, size))
                sheet.ops.extend(_line_cells(line, net, t, baseline))
            else:
                sheet.add(Text(COL_TEXT, baseline, text, size, muted=size != BODY))
        sheet.y += 1.5
        sheet.add(Rule(LEFT, RIGHT, sheet.y - 0.5))
    sheet.y += 4.0


# --- allowances and charges, VAT breakdown, totals -------------------------------------


def allowances_charges(sheet: Sheet, invoice: Invoice, t: Translator) -> None:
    if not invoice.allowances_charges:
        return
    box = Box()
    box.text(LEFT, t("Allowances and charges"), 9.0, bold=True)
    for item in invoice.allowances_charges:
        label = t("Charge") if item.is_charge else t("Allowance")
        reason = _plain(item.reason) or _plain(item.reason_code)
        vat = _vat_label(t, item.vat_category, item.vat_rate) if item.vat_category else ""
        amount = t.money(item.amount if item.is_charge else -item.amount, invoice.currency)
        text = f"{label}: {reason}" if reason else label
        if item.percent is not None and item.base_amount is not None:
            text += " " + t(
                "({percent} of {base})",
                percent=_percent(t, item.percent),
                base=t.money(item.base_amount, invoice.currency),
            )
        lines = wrap(text, BODY, COL_PRICE_RIGHT - LEFT - 20)
        box.height += line_height(BODY)
        baseline = box.height - BODY * PT * 0.3
        box.ops.append(Text(LEFT, baseline, lines[0], BODY))
        box.ops.append(Text(COL_VAT_RIGHT - width(vat, BODY), baseline, vat, BODY))
        box.ops.append(Text(COL_AMOUNT_RIGHT - 1 - width(amount, BODY), baseline, amount, BODY))
        for more in lines[1:]:
            box.text(LEFT, more, BODY)
    sheet.place([box], gap=5.0)


def _vat_box(invoice: Invoice, totals: Totals, t: Translator) -> Box:
    box = Box()
    box.text(LEFT, t("VAT breakdown"), 9.0, bold=True)
    rate_right, taxable_right, vat_right = 67.0, 88.0, HALF
    box.height += line_height(LABEL)
    baseline = box.height - LABEL * PT * 0.3
    for x, text, right in (
        (LEFT, t("VAT category"), False),
        (rate_right, t("Rate"), True),
        (taxable_right, t("Taxable amount"), True),
        (vat_right, t("VAT amount"), True),
    ):
        x = x - width(text, LABEL) if right else x
        box.ops.append(Text(x, baseline, text, LABEL, muted=True))
    for group in totals.breakdown:
        lines = wrap(t(CATEGORY_LABELS[group.category]), BODY, rate_right - LEFT - 14)
        box.height += line_height(BODY)
        baseline = box.height - BODY * PT * 0.3
        box.ops.append(Text(LEFT, baseline, lines[0], BODY))
        for right, text in (
            (rate_right, _percent(t, group.rate) if group.rate is not None else "-"),
            (taxable_right, _number(t, group.taxable_amount, 2)),
            (vat_right, _number(t, group.tax_amount, 2)),
        ):
            box.ops.append(Text(right - width(text, BODY), baseline, text, BODY))
        for more in lines[1:]:
            box.text(LEFT, more, BODY)
        reason = _plain(group.exemption_reason) or _plain(group.exemption_code)
        if reason:
            text = t("Exemption reason: {reason}", reason=reason)
            box.lines(LEFT + 3, text, SMALL, HALF - LEFT - 3, muted=True)
    return box


def _totals_box(invoice: Invoice, totals: Totals, t: Translator) -> Box:
    x = HALF + 15
    currency = invoice.currency
    rows: list[tuple[str, Decimal]] = [(t("Sum of lines"), totals.line_extension)]
    if totals.allowance_total:
        rows.append((t("Allowances"), -totals.allowance_total))
    if totals.charge_total:
        rows.append((t("Charges"), totals.charge_total))
    rows += [
        (t("Total excl. VAT"), totals.tax_exclusive),
        (t("VAT"), totals.tax_total),
        (t("Total incl. VAT"), totals.tax_inclusive),
    ]
    if totals.prepaid:
        rows.append((t("Prepaid amount"), -totals.prepaid))
    if totals.rounding:
        rows.append((t("Rounding"), totals.rounding))
    box = Box()
    box.text(x, t("Totals"), 9.0, bold=True)
    for label, amount in rows:
        box.height += line_height(BODY)
        baseline = box.height - BODY * PT * 0.3
        text = t.money(amount, currency)
        box.ops.append(Text(x, baseline, label, BODY))
        box.ops.append(Text(RIGHT - width(text, BODY), baseline, text, BODY))
    box.gap(1.5)
    box.ops.append(Rule(x, RIGHT, box.height))
    box.gap(0.5)
    due = t("Amount to be credited") if invoice.is_credit_note else t("Amount due")
    amount = t.money(totals.payable, currency)
    box.height += line_height(11.0)
    baseline = box.height - 11.0 * PT * 0.3
    box.ops.append(Text(x, baseline, due, 11.0, bold=True))
    box.ops.append(Text(RIGHT - width(amount, 11.0, True), baseline, amount, 11.0, True))
    return box


def vat_and_totals(sheet: Sheet, invoice: Invoice, totals: Totals, t: Translator) -> None:
    sheet.place([_vat_box(invoice, totals, t), _totals_box(invoice, totals, t)], gap=8.0)


# --- payment, notes, attachments -------------------------------------------------------


def _label_rows(box: Box, rows: list[tuple[str, str]], x: float, value_x: float) -> None:
    for label, value in rows:
        if not value:
            continue
        lines = wrap(value, BODY, RIGHT - value_x)
        box.height += line_height(BODY)
        baseline = box.height - BODY * PT * 0.3
        box.ops.append(Text(x, baseline, label, LABEL, muted=True))
        box.ops.append(Text(value_x, baseline, lines[0], BODY))
        for more in lines[1:]:
            box.text(value_x, more, BODY)


def _means_rows(means: PaymentMeans, t: Translator) -> list[tuple[str, str]]:
    method = PAYMENT_MEANS.get(means.code)
    return [
        (t("Payment method"), t(method) if method else _plain(means.code, 8)),
        (t("IBAN"), _iban(means.iban)),
        (t("BIC"), _plain(means.bic)),
        (t("Account name"), _plain(means.account_name)),
        (t("Payment reference"), _plain(means.payment_reference)),
    ]


def payment(sheet: Sheet, invoice: Invoice, totals: Totals, t: Translator) -> None:
    box = Box()
    box.text(LEFT, t("Payment"), 9.0, bold=True)
    due = t("Amount to be credited") if invoice.is_credit_note else t("Amount due")
    rows = [(due, t.money(totals.payable, invoice.currency))]
    rows.append((t("Due date"), _date(t, invoice.due_date)))
    for means in invoice.payment_means:
        rows.extend(_means_rows(means, t))
    rows.append((t("Payment terms"), _para(invoice.payment_terms, MAX_FIELD)))
    _label_rows(box, rows, LEFT, LEFT + 35)
    sheet.place([box], gap=6.0)


def _flow(sheet: Sheet, x: float, text: str, size: float, max_width: float) -> None:
    """Wrapped text that may run over pages."""
    for line in wrap(text, size, max_width):
        step = line_height(size)
        sheet.ensure(step)
        sheet.y += step
        sheet.add(Text(x, sheet.y - size * PT * 0.3, line, size))


def _heading(sheet: Sheet, text: str) -> None:
    sheet.ensure(line_height(9.0) + 2 * line_height(BODY))  # keep with what follows
    sheet.y += line_height(9.0)
    sheet.add(Text(LEFT, sheet.y - 9.0 * PT * 0.3, text, 9.0, bold=True))


def notes(sheet: Sheet, invoice: Invoice, t: Translator) -> None:
    texts = [text for text in map(_para, invoice.notes) if text]
    if not texts:
        return
    _heading(sheet, t("Notes"))
    for text in texts:
        _flow(sheet, LEFT, text, BODY, RIGHT - LEFT)
        sheet.y += 1.5
    sheet.y += 4.0


def attachments(sheet: Sheet, invoice: Invoice, t: Translator) -> None:
    if not invoice.attachments:
        return
    _heading(sheet, t("Attachments"))
    for attachment in invoice.attachments:
        name = _plain(attachment.filename) or _plain(attachment.id)
        parts = [name]
        if attachment.description:
            parts.append(_plain(attachment.description))
        if attachment.content is not None:
            parts.append(t("embedded file"))
        elif attachment.external_uri:
            parts.append(t("link: {uri}", uri=_plain(attachment.external_uri)))
        _flow(sheet, LEFT, " – ".join(parts), BODY, RIGHT - LEFT)


def footers(pages: list[list], invoice: Invoice, t: Translator) -> None:
    count = len(pages)
    left = f"{_title(invoice, t)} {_plain(invoice.number, 60)} · {_plain(invoice.seller.name, 80)}"
    baseline = PAGE_HEIGHT - 10.0
    for number, ops in enumerate(pages, start=1):
        page = t("Page {page} of {pages}", page=number, pages=count)
        page_width = width(page, SMALL)
        ops.append(Rule(LEFT, RIGHT, PAGE_HEIGHT - 14.0))
        ops.append(Text(LEFT, baseline, fit(left, SMALL, RIGHT - LEFT - page_width - 5), SMALL,
                        muted=True))  # fmt: skip
        ops.append(Text(RIGHT - width(page, SMALL), baseline, page, SMALL, muted=True))
