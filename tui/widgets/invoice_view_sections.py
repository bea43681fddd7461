"""The sections of the invoice view, rendered for the terminal in the reader's language.

Every function takes the invoice (``InvoiceDetail``) and the session's translator and returns a
Rich renderable, or None when the invoice has nothing for that section. Everything that came
from the invoice is another company's text: it is passed through ``inert`` and put on screen
only as ``rich.text.Text`` (never markup), so no control character or escape sequence of it
reaches the terminal. Labels reuse the PDF's wording (``backend/formats/pdf_sections.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_percent
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import DataTable

from backend.db.models.customers import DeliveryChannel
from backend.delivery.events import event_text
from backend.domain.errors import N_
from backend.domain.invoice import AllowanceCharge, Attachment, Invoice, InvoiceLine, Party
from backend.domain.states import INVOICE_STATE_LABELS
from backend.domain.vat import CATEGORY_LABELS, VatCategory
from backend.formats.pdf_sections import PAYMENT_MEANS, UNIT_LABELS, UNIT_SYMBOLS
from backend.i18n import Translator
from backend.services.invoices import InvoiceDetail

from .safe_text import inert

MAX_FIELD = 300  # characters shown of a one-line field from the invoice
MAX_TEXT = 3000  # characters shown of a free text (note, description)
MAX_DECIMALS = 8  # decimals shown of a quantity or price
LABEL = "bold"
MUTED = "dim"

CHANNEL_LABELS: dict[DeliveryChannel, str] = {
    DeliveryChannel.PORTAL: N_("Portal"),
    DeliveryChannel.EMAIL: N_("E-mail"),
    DeliveryChannel.BUSINESS_SYSTEM: N_("Business system"),
}


# --- text from the invoice ------------------------------------------------------------------


def plain(text: str | None, limit: int = MAX_FIELD) -> str:
    """One line of another company's text, inert and capped."""
    text = inert(text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def para(text: str | None, limit: int = MAX_TEXT) -> str:
    """A free text of another company's, its line breaks kept, every line inert."""
    text = (text or "").strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "\n".join(inert(line).rstrip() for line in text.splitlines())


def heading(text: str) -> Text:
    return Text(text, style=LABEL)


def _rows(rows: Iterable[tuple[str, str]]) -> Table | None:
    """Label / value lines, leaving out empty values."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=MUTED, no_wrap=True)
    grid.add_column(overflow="fold")
    filled = [(label, value) for label, value in rows if value]
    for label, value in filled:
        grid.add_row(Text(label), Text(value))
    return grid if filled else None


def _section(title: str, *parts: RenderableType | None) -> Group:
    return Group(heading(title), *(part for part in parts if part is not None))


# --- numbers and dates ----------------------------------------------------------------------


def exact(t: Translator, value: Decimal, least: int = 0) -> str:
    """``value`` with its own decimals (at least ``least``): quantities and prices as given."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return t.number(value, min(max(least, decimals), MAX_DECIMALS))


def amount(t: Translator, value: Decimal) -> str:
    return t.number(value, 2)


def percent(t: Translator, rate: Decimal) -> str:
    return format_percent(rate / 100, locale=t.locale, decimal_quantization=False)


def vat_label(t: Translator, category: VatCategory, rate: Decimal | None) -> str:
    if category is VatCategory.STANDARD and rate is not None:
        return percent(t, rate)
    return category.value


def unit(t: Translator, code: str) -> str:
    if code in UNIT_LABELS:
        return t(UNIT_LABELS[code])
    return UNIT_SYMBOLS.get(code) or plain(code, 8)


def period(t: Translator, start: object, end: object) -> str:
    if start is None and end is None:
        return ""
    return f"{t.date(start, 'medium')} – {t.date(end, 'medium')}"  # type: ignore[arg-type]


def _country(t: Translator, code: str) -> str:
    return Locale.parse(t.locale).territories.get(code.upper(), "") or plain(code, 3)


# --- the sections ---------------------------------------------------------------------------


def document_title(detail: InvoiceDetail, t: Translator) -> str:
    invoice = detail.invoice
    kind = t("Credit note") if invoice.is_credit_note else t("Invoice")
    number = plain(invoice.number, 60) or "–"
    state = t(INVOICE_STATE_LABELS[detail.state])
    side = t("Sent") if detail.is_sender else t("Received")
    return f"{kind} {number} · {side} · {state}"


def party(party: Party, title: str, t: Translator) -> Group:
    lines = [Text(plain(party.name) or "–", style=LABEL)]
    if party.trading_name and party.trading_name != party.name:
        lines.append(Text(plain(party.trading_name)))
    address = party.address
    city = " ".join(filter(None, (plain(address.postal_code), plain(address.city))))
    for line in (plain(address.street), plain(address.additional_street), city):
        if line:
            lines.append(Text(line))
    country = _country(t, address.country_code) if address.country_code else ""
    if plain(address.subdivision) or country:
        lines.append(Text(", ".join(filter(None, (plain(address.subdivision), country)))))
    contact = party.contact
    details = ", ".join(filter(None, map(plain, (contact.name, contact.phone, contact.email))))
    identifiers = _rows(
        [
            (t("Org. no."), plain(party.legal_id)),
            (t("VAT no."), plain(party.vat_number)),
            (t("Tax registration"), plain(party.tax_registration_id)),
            (t("Peppol ID"), plain(str(party.endpoint)) if party.endpoint else ""),
            (t("Contact"), details),
        ]
    )
    return _section(title, *lines, identifiers)


def details(detail: InvoiceDetail, t: Translator) -> Group:
    invoice = detail.invoice
    credit = invoice.is_credit_note
    delivery = invoice.delivery
    rows = [
        (t("Credit note number") if credit else t("Invoice number"), plain(invoice.number)),
        (t("Issue date"), t.date(invoice.issue_date, "medium")),
        # The portal's own id: support cases ask for it.
        (t("Invoice id"), str(detail.id)),
        (t("Due date"), t.date(invoice.due_date, "medium")),
        (t("Delivery date"), t.date(delivery.date, "medium") if delivery else ""),
        (t("Invoice period"), period(t, invoice.period_start, invoice.period_end)),
        (t("Tax point date"), t.date(invoice.tax_point_date, "medium")),
        (t("Category"), plain(invoice.category)),
        (t("Buyer reference"), plain(invoice.buyer_reference)),
        (t("Order reference"), plain(invoice.order_reference)),
        (t("Contract reference"), plain(invoice.contract_reference)),
        (t("Project reference"), plain(invoice.project_reference)),
    ]
    for reference in invoice.preceding_invoices:
        label = t("Credited invoice") if credit else t("Preceding invoice")
        issued = f" ({t.date(reference.issue_date, 'medium')})" if reference.issue_date else ""
        rows.append((label, plain(reference.number) + issued))
    if delivery is not None:
        place = ", ".join(
            filter(
                None,
                (
                    plain(delivery.party_name),
                    plain(delivery.location_id),
                    *(
                        (plain(delivery.address.street), plain(delivery.address.city))
                        if delivery.address
                        else ()
                    ),
                ),
            )
        )
        rows.append((t("Delivery"), place))
    rows.append((t("Currency"), plain(invoice.currency, 3)))
    return _section(t("Dates and references"), _rows(rows))


def _allowance_text(item: AllowanceCharge, t: Translator, currency: str) -> str:
    label = t("Charge") if item.is_charge else t("Discount")
    reason = plain(item.reason) or plain(item.reason_code)
    share = f" {percent(t, item.percent)}" if item.percent is not None else ""
    money = t.money(item.amount if item.is_charge else -item.amount, currency)
    return f"{label}{share}: {reason} {money}" if reason else f"{label}{share}: {money}"


def _line_text(line: InvoiceLine, t: Translator, currency: str) -> Text:
    """The item column: the name, then description, item numbers, period, note, discounts."""
    text = Text(plain(line.name) or "–")
    extra: list[str] = []
    if line.description:
        extra.append(para(line.description))
    ids = (
        (t("Item no."), line.seller_item_id),
        (t("Buyer's item no."), line.buyer_item_id),
        (t("Item ID"), line.standard_item_id),
    )
    numbers = "; ".join(f"{label} {plain(value)}" for label, value in ids if value)
    if numbers:
        extra.append(numbers)
    if line.period_start or line.period_end:
        extra.append(t("Period {period}", period=period(t, line.period_start, line.period_end)))
    if line.base_quantity != 1:
        extra.append(
            t(
                "Price per {quantity} {unit}",
                quantity=exact(t, line.base_quantity),
                unit=unit(t, line.unit_code),
            )
        )
    if line.note:
        extra.append(t("Note: {note}", note=para(line.note)))
    extra.extend(_allowance_text(item, t, currency) for item in line.allowances_charges)
    for part in extra:
        text.append("\n" + part, style=MUTED)
    return text


def lines(detail: InvoiceDetail, t: Translator) -> Group:
    invoice = detail.invoice
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, header_style=LABEL)
    table.add_column("#", no_wrap=True, style=MUTED)
    table.add_column(Text(t("Description")), ratio=1, overflow="fold")
    table.add_column(Text(t("Quantity")), justify="right", no_wrap=True)
    table.add_column(Text(t("Unit")), no_wrap=True)
    table.add_column(Text(t("Unit price")), justify="right", no_wrap=True)
    table.add_column(Text(t("VAT")), justify="right", no_wrap=True)
    table.add_column(Text(t("Amount")), justify="right", no_wrap=True)
    for line, net in zip(invoice.lines, detail.totals.line_net_amounts, strict=True):
        table.add_row(
            Text(plain(line.id, 12)),
            _line_text(line, t, invoice.currency),
            Text(exact(t, line.quantity)),
            Text(unit(t, line.unit_code)),
            Text(exact(t, line.net_price, 2)),
            Text(vat_label(t, line.vat_category, line.vat_rate)),
            Text(amount(t, net)),
        )
    count = len(invoice.lines)
    title = t.ngettext("{count} line", "{count} lines", count).format(count=t.number(count))
    return _section(title, table)


def allowances_charges(detail: InvoiceDetail, t: Translator) -> Group | None:
    invoice = detail.invoice
    if not invoice.allowances_charges:
        return None
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(ratio=1, overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for item in invoice.allowances_charges:
        label = t("Charge") if item.is_charge else t("Allowance")
        reason = plain(item.reason) or plain(item.reason_code)
        text = f"{label}: {reason}" if reason else label
        if item.percent is not None and item.base_amount is not None:
            text += " " + t(
                "({percent} of {base})",
                percent=percent(t, item.percent),
                base=t.money(item.base_amount, invoice.currency),
            )
        vat = vat_label(t, item.vat_category, item.vat_rate) if item.vat_category else ""
        money = t.money(item.amount if item.is_charge else -item.amount, invoice.currency)
        table.add_row(Text(text), Text(vat), Text(money))
    return _section(t("Allowances and charges"), table)


def vat_breakdown(detail: InvoiceDetail, t: Translator) -> Group:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style=LABEL)
    table.add_column(Text(t("VAT category")), overflow="fold")
    table.add_column(Text(t("Rate")), justify="right", no_wrap=True)
    table.add_column(Text(t("Taxable amount")), justify="right", no_wrap=True)
    table.add_column(Text(t("VAT amount")), justify="right", no_wrap=True)
    for group in detail.totals.breakdown:
        category = Text(t(CATEGORY_LABELS[group.category]))
        reason = plain(group.exemption_reason) or plain(group.exemption_code)
        if reason:
            category.append("\n" + t("Exemption reason: {reason}", reason=reason), style=MUTED)
        table.add_row(
            category,
            Text(percent(t, group.rate) if group.rate is not None else "–"),
            Text(amount(t, group.taxable_amount)),
            Text(amount(t, group.tax_amount)),
        )
    return _section(t("VAT breakdown"), table)


def totals(detail: InvoiceDetail, t: Translator) -> Group:
    invoice, sums = detail.invoice, detail.totals
    currency = invoice.currency
    rows: list[tuple[str, Decimal]] = [(t("Sum of lines"), sums.line_extension)]
    if sums.allowance_total:
        rows.append((t("Allowances"), -sums.allowance_total))
    if sums.charge_total:
        rows.append((t("Charges"), sums.charge_total))
    rows += [
        (t("Total excl. VAT"), sums.tax_exclusive),
        (t("VAT"), sums.tax_total),
        (t("Total incl. VAT"), sums.tax_inclusive),
    ]
    if sums.prepaid:
        rows.append((t("Prepaid amount"), -sums.prepaid))
    if sums.rounding:
        rows.append((t("Rounding"), sums.rounding))
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(justify="right", no_wrap=True)
    for label, value in rows:
        grid.add_row(Text(label), Text(t.money(value, currency)))
    due = t("Amount to be credited") if invoice.is_credit_note else t("Amount due")
    grid.add_row(Text(due, style=LABEL), Text(t.money(sums.payable, currency), style=LABEL))
    return _section(t("Totals"), grid)


def _iban(value: str) -> str:
    compact = plain(value).replace(" ", "")
    if compact.isalnum() and 15 <= len(compact) <= 34:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return plain(value)


def payment(detail: InvoiceDetail, t: Translator) -> Group:
    invoice = detail.invoice
    rows = [(t("Due date"), t.date(invoice.due_date, "medium"))]
    for means in invoice.payment_means:
        method = PAYMENT_MEANS.get(means.code)
        rows += [
            (t("Payment method"), t(method) if method else plain(means.code, 8)),
            (t("IBAN"), _iban(means.iban)),
            (t("BIC"), plain(means.bic)),
            (t("Account name"), plain(means.account_name)),
            (t("Payment reference"), plain(means.payment_reference)),
        ]
    rows.append((t("Payment terms"), para(invoice.payment_terms, MAX_FIELD)))
    payee = invoice.payee
    if payee is not None:
        rows.append((t("Payee"), plain(payee.name)))
    return _section(t("Payment"), _rows(rows))


def notes(invoice: Invoice, t: Translator) -> Group | None:
    texts = [text for text in map(para, invoice.notes) if text]
    if not texts:
        return None
    return _section(t("Notes"), *(Text(text) for text in texts))


def attachment_row(attachment: Attachment, t: Translator) -> tuple[Text, Text, Text]:
    """(name, description, what it is) of one attachment, for the attachments table."""
    name = plain(attachment.filename, 80) or plain(attachment.id, 80) or "–"
    if attachment.content is not None:
        kind = t("File, {size} bytes", size=t.number(len(attachment.content)))
    elif attachment.external_uri:
        kind = t("link: {uri}", uri=plain(attachment.external_uri, 120))
    else:
        kind = ""
    return Text(name), Text(plain(attachment.description, 120)), Text(kind)


def history(detail: InvoiceDetail, t: Translator) -> Group | None:
    if not detail.deliveries:
        return None
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style=LABEL, expand=True)
    table.add_column(Text(t("Time")), no_wrap=True)
    table.add_column(Text(t("Channel")), no_wrap=True)
    table.add_column(Text(t("State")), no_wrap=True)
    table.add_column(Text(t("Detail")), ratio=1, overflow="fold")
    for step in detail.deliveries:
        table.add_row(
            Text(t.datetime(step.at)),
            Text(t(CHANNEL_LABELS[step.channel])),
            Text(t(INVOICE_STATE_LABELS[step.state])),
            Text(para(event_text(t, step.detail), MAX_FIELD)),
        )
    return _section(t("Delivery history"), table)


def fill_table(table: DataTable[Any], labels: list[str], rows: list[tuple[Text, ...]]) -> None:
    """Replace the rows of ``table`` (and its column labels, which follow the language)."""
    if [str(column.label) for column in table.ordered_columns] != labels:
        table.clear(columns=True)
        table.add_columns(*map(Text, labels))
    else:
        table.clear()
    for row in rows:
        table.add_row(*row)
