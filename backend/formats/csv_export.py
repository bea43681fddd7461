"""Invoices as CSV: one row per invoice line, the invoice's header fields repeated on each row.

One invoice and a bulk export of many have the same columns, so files can be concatenated
(without their header rows) and read by the same script. The format, for people and scripts:

- UTF-8 **with a byte order mark**: Excel, which most of the portal's users open these files
  with, reads a file without one in the Windows code page and turns "å" into "Ã¥"; Python
  (``encoding="utf-8-sig"``), pandas, LibreOffice and most tools skip the mark.
- RFC 4180: comma separated, fields quoted when needed, CRLF line ends, one header row.
- Decimals with a dot and no thousands separators (``1234.50``), never rounded beyond what the
  invoice holds; dates ISO 8601 (``2024-05-14``); empty when the invoice has no value.
- A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is prefixed with an apostrophe ``'``. Number and date
  columns are written by the portal and never prefixed.

Columns (``CSV_COLUMNS``, stable ids; EN 16931 business terms in brackets):

========================  ================================================================
column                    content
========================  ================================================================
invoice_number            invoice or credit note number [BT-1]
document_kind             ``invoice`` or ``credit_note``
issue_date                issue date [BT-2]
due_date                  payment due date [BT-9]
currency                  ISO 4217 currency code [BT-5]
seller_name               seller name [BT-27]
seller_org_no             seller legal registration id, e.g. organisation number [BT-30]
seller_vat_no             seller VAT number [BT-31]
buyer_name                buyer name [BT-44]
buyer_org_no              buyer legal registration id [BT-47]
buyer_vat_no              buyer VAT number [BT-48]
buyer_reference           buyer reference [BT-10]
order_reference           purchase order reference [BT-13]
line_id                   invoice line id [BT-126]
item_seller_id            the seller's item number [BT-155]
item_name                 item name [BT-153]
item_description          item description [BT-154]
line_note                 invoice line note [BT-127]
quantity                  invoiced quantity [BT-129]
unit_code                 unit of measure, UN/ECE recommendation 20 (``H87``, ``HUR``) [BT-130]
net_price                 item net price [BT-146]
price_base_quantity       the quantity the price is for, usually 1 [BT-149]
line_net_amount           line net amount after line allowances and charges [BT-131]
vat_category              VAT category code (``S``, ``Z``, ``E``, ``AE``, ``K``, ``G``, ``O``)
                          [BT-151]
vat_rate                  VAT rate in percent, empty for category O [BT-152]
invoice_line_total        sum of the invoice's line net amounts [BT-106]
invoice_allowance_total   sum of document-level allowances [BT-107]
invoice_charge_total      sum of document-level charges [BT-108]
invoice_total_excl_vat    invoice total without VAT [BT-109]
invoice_vat_total         invoice total VAT [BT-110]
invoice_total_incl_vat    invoice total with VAT [BT-112]
invoice_prepaid           paid amount [BT-113]
invoice_rounding          rounding amount [BT-114]
invoice_amount_due        amount due for payment [BT-115]
========================  ================================================================
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ..domain.invoice import Invoice, InvoiceLine
from ..domain.totals import Totals, compute_totals

CSV_COLUMNS: tuple[str, ...] = (
    "invoice_number",
    "document_kind",
    "issue_date",
    "due_date",
    "currency",
    "seller_name",
    "seller_org_no",
    "seller_vat_no",
    "buyer_name",
    "buyer_org_no",
    "buyer_vat_no",
    "buyer_reference",
    "order_reference",
    "line_id",
    "item_seller_id",
    "item_name",
    "item_description",
    "line_note",
    "quantity",
    "unit_code",
    "net_price",
    "price_base_quantity",
    "line_net_amount",
    "vat_category",
    "vat_rate",
    "invoice_line_total",
    "invoice_allowance_total",
    "invoice_charge_total",
    "invoice_total_excl_vat",
    "invoice_vat_total",
    "invoice_total_incl_vat",
    "invoice_prepaid",
    "invoice_rounding",
    "invoice_amount_due",
)

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters other than tab, newline and carriage return mean nothing in a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_cell(value: str) -> str:
    """A text value from an invoice, safe to open in a spreadsheet."""
    value = _CONTROL.sub("", value or "")
    return "'" + value if value.startswith(_FORMULA_START) else value


def number_cell(value: Decimal | None) -> str:
    """A decimal with a dot, as exact as it is, never in exponent notation."""
    if value is None:
        return ""
    return format(value.copy_abs() if value.is_zero() else value, "f")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _header_cells(invoice: Invoice) -> list[str]:
    seller, buyer = invoice.seller, invoice.buyer
    return [
        text_cell(invoice.number),
        invoice.kind.value,
        _date(invoice.issue_date),
        _date(invoice.due_date),
        text_cell(invoice.currency),
        text_cell(seller.name),
        text_cell(seller.legal_id),
        text_cell(seller.vat_number),
        text_cell(buyer.name),
        text_cell(buyer.legal_id),
        text_cell(buyer.vat_number),
        text_cell(invoice.buyer_reference),
        text_cell(invoice.order_reference),
    ]


def _line_cells(line: InvoiceLine, net: Decimal) -> list[str]:
    return [
        text_cell(line.id),
        text_cell(line.seller_item_id),
        text_cell(line.name),
        text_cell(line.description),
        text_cell(line.note),
        number_cell(line.quantity),
        text_cell(line.unit_code),
        number_cell(line.net_price),
        number_cell(line.base_quantity),
        number_cell(net),
        line.vat_category.value,
        number_cell(line.vat_rate),
    ]


def _total_cells(totals: Totals) -> list[str]:
    return [
        number_cell(totals.line_extension),
        number_cell(totals.allowance_total),
        number_cell(totals.charge_total),
        number_cell(totals.tax_exclusive),
        number_cell(totals.tax_total),
        number_cell(totals.tax_inclusive),
        number_cell(totals.prepaid),
        number_cell(totals.rounding),
        number_cell(totals.payable),
    ]


def invoice_rows(invoice: Invoice) -> list[list[str]]:
    """The CSV rows of one invoice (no header row), in ``CSV_COLUMNS`` order."""
    totals = compute_totals(invoice)
    header = _header_cells(invoice)
    total = _total_cells(totals)
    return [
        [*header, *_line_cells(line, net), *total]
        for line, net in zip(invoice.lines, totals.line_net_amounts, strict=True)
    ]


def invoices_to_csv(invoices: Iterable[Invoice]) -> bytes:
    """A CSV file (bytes, UTF-8 with BOM) of every line of every invoice, header row first."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        writer.writerows(invoice_rows(invoice))
    return buffer.getvalue().encode("utf-8")
