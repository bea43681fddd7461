"""What an invoice must satisfy before it can leave draft.

These are the portal's own checks, phrased for the person filling in the invoice; the full
EN 16931 / Peppol business-rule validation of the UBL document lives in ``backend.formats``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from .errors import N_, ValidationError
from .invoice import Invoice
from .money import check_currency
from .totals import compute_totals
from .vat import EXEMPTION_FORBIDDEN, EXEMPTION_REQUIRED, VatCategory, check_category_rate

_COUNTRY_CODE = re.compile(r"[A-Z]{2}")

Rule = Callable[[Invoice], Iterator[ValidationError]]


def check_invoice(invoice: Invoice) -> list[ValidationError]:
    """Every broken rule of ``invoice``, each naming its field; empty when it may leave draft."""
    return [error for rule in _RULES for error in rule(invoice)]


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _header(invoice: Invoice) -> Iterator[ValidationError]:
    if _blank(invoice.number):
        yield ValidationError(N_("The invoice needs a number."), field="number")
    if invoice.issue_date is None:
        yield ValidationError(N_("The invoice needs an issue date."), field="issue_date")
    try:
        check_currency(invoice.currency, field="currency")
    except ValidationError as error:
        yield error


def _parties(invoice: Invoice) -> Iterator[ValidationError]:
    if _blank(invoice.seller.name):
        yield ValidationError(N_("The seller needs a name."), field="seller.name")
    if _blank(invoice.buyer.name):
        yield ValidationError(N_("The buyer needs a name."), field="buyer.name")
    country = invoice.seller.address.country_code
    if _blank(country):
        yield ValidationError(
            N_("The seller needs a country code."), field="seller.address.country_code"
        )
    elif not _COUNTRY_CODE.fullmatch(country):
        yield ValidationError(
            N_("“{value}” is not a two-letter country code."),
            field="seller.address.country_code",
            value=country,
        )


def _lines(invoice: Invoice) -> Iterator[ValidationError]:
    if not invoice.lines:
        yield ValidationError(N_("The invoice needs at least one line."), field="lines")
    for index, line in enumerate(invoice.lines):
        at = f"lines[{index}]"
        number = index + 1
        if _blank(line.name):
            yield ValidationError(
                N_("Line {line} needs an item name."), field=f"{at}.name", line=number
            )
        if _blank(line.unit_code):
            yield ValidationError(
                N_("Line {line} needs a unit of measure."), field=f"{at}.unit_code", line=number
            )
        if line.quantity is None:
            yield ValidationError(
                N_("Line {line} needs a quantity."), field=f"{at}.quantity", line=number
            )
        if line.net_price is None:
            yield ValidationError(
                N_("Line {line} needs a price."), field=f"{at}.net_price", line=number
            )
        if line.base_quantity is None or line.base_quantity <= 0:
            yield ValidationError(
                N_("The base quantity must be greater than 0."),
                field=f"{at}.base_quantity",
                value=line.base_quantity,
            )
        yield from _category_rate(line.vat_category, line.vat_rate, at)


def _document_allowances_charges(invoice: Invoice) -> Iterator[ValidationError]:
    for index, item in enumerate(invoice.allowances_charges):
        yield from _category_rate(item.vat_category, item.vat_rate, f"allowances_charges[{index}]")


def _category_rate(
    category: VatCategory | None, rate: Decimal | None, at: str
) -> Iterator[ValidationError]:
    if category is None:
        yield ValidationError(N_("Choose a VAT category."), field=f"{at}.vat_category")
        return
    try:
        check_category_rate(category, rate, field=f"{at}.vat_rate")
    except ValidationError as error:
        yield error


def _dates_and_payment(invoice: Invoice) -> Iterator[ValidationError]:
    due, issued = invoice.due_date, invoice.issue_date
    if due is not None and issued is not None and due < issued:
        yield ValidationError(N_("The due date cannot be before the issue date."), field="due_date")
    # BR-CO-25; skipped while the amounts cannot be computed (those fields are reported above).
    if (
        invoice.due_date is None
        and _blank(invoice.payment_terms)
        and _computable(invoice)
        and compute_totals(invoice).payable > 0
    ):
        yield ValidationError(
            N_("Give a due date or payment terms, since an amount is due."), field="due_date"
        )


def _computable(invoice: Invoice) -> bool:
    lines_ok = all(
        line.quantity is not None
        and line.net_price is not None
        and line.vat_category is not None
        and line.base_quantity is not None
        and line.base_quantity > 0
        and all(item.amount is not None for item in line.allowances_charges)
        for line in invoice.lines
    )
    return lines_ok and all(
        item.vat_category is not None and item.amount is not None
        for item in invoice.allowances_charges
    )


def _references(invoice: Invoice) -> Iterator[ValidationError]:
    # Peppol PEPPOL-EN16931-R003: a buyer reference or an order reference.
    if _blank(invoice.buyer_reference) and _blank(invoice.order_reference):
        yield ValidationError(
            N_("Give the buyer's reference or a purchase order number."), field="buyer_reference"
        )


def _exemptions(invoice: Invoice) -> Iterator[ValidationError]:
    used = {line.vat_category for line in invoice.lines} | {
        item.vat_category for item in invoice.allowances_charges
    }
    for category in VatCategory:
        if category not in used:
            continue
        exemption = invoice.vat_exemptions.get(category)
        given = exemption is not None and not (_blank(exemption.reason) and _blank(exemption.code))
        field = f"vat_exemptions.{category.value}"
        if category in EXEMPTION_REQUIRED and not given:
            yield ValidationError(
                N_("VAT category {category} needs an exemption reason or code."),
                field=field,
                category=category.value,
            )
        elif category in EXEMPTION_FORBIDDEN and given:
            yield ValidationError(
                N_("VAT category {category} cannot have an exemption reason or code."),
                field=field,
                category=category.value,
            )


def _credit_note(invoice: Invoice) -> Iterator[ValidationError]:
    if not invoice.is_credit_note:
        return
    if not invoice.preceding_invoices:
        yield ValidationError(
            N_("A credit note must name the invoice it credits."), field="preceding_invoices"
        )
    for index, reference in enumerate(invoice.preceding_invoices):
        if _blank(reference.number):
            yield ValidationError(
                N_("A credited invoice needs a number."),
                field=f"preceding_invoices[{index}].number",
            )


_RULES: tuple[Rule, ...] = (
    _header,
    _parties,
    _lines,
    _document_allowances_charges,
    _dates_and_payment,
    _references,
    _exemptions,
    _credit_note,
)
