"""EN 16931 conditions and calculations BR-CO-*: totals that must add up, and related rules.

Sums are exact decimals, rounded as the official rules do: ``round(x * 100) div 100`` with
XPath's ``round`` (halves towards positive infinity). BR-CO-05 .. BR-CO-08 are ``true()`` in
the official binding (a code and a text cannot be compared) and are not implemented.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ....domain.errors import N_
from ..document import Element, UblDoc, child
from ..findings import RuleSet
from ..registry import Hit, rule
from .codelists_data import VAT_PREFIX_LIST
from .en16931_common import (
    below,
    dec,
    facts,
    first_dec,
    fmt,
    is_vat,
    round2,
    sval,
    total,
    xround,
)
from .en16931_core import document_periods, without_reason

TOTALS = "/cac:LegalMonetaryTotal"
TAX_TOTAL = "/cac:TaxTotal"


def _at(parent: Element, name: str) -> Element:
    """Where to point: the element ``name`` below ``parent``, else ``parent``."""
    el = child(parent, name)
    return el if el is not None else parent


def _amount(doc: UblDoc, totals: Element, name: str) -> Element | None:
    """The element ``name`` of the document totals (the first, as the official rules read)."""
    found = below(doc, TOTALS, totals, name)
    return found[0] if found else None


@rule(
    "BR-CO-03",
    N_("The VAT point date (BT-7) and the VAT point date code (BT-8) must not both be given."),
    field="tax_point_date",
)
def tax_point_date_exclusive(doc: UblDoc) -> Iterable[Element]:
    point_date = doc.first("/cbc:TaxPointDate")
    if point_date is not None and doc.exists("/cac:InvoicePeriod/cbc:DescriptionCode"):
        yield point_date


@rule(
    "BR-CO-04",
    N_("An invoice line has no VAT category code (BT-151)."),
    field="lines[{line}].vat_category",
)
def line_vat_category(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not any(c.vat and c.id is not None for c in line.categories):
            yield line.el


@rule(
    "BR-CO-09",
    N_(
        "A VAT identifier (BT-31, BT-48 or BT-63) must start with the country's ISO 3166-1 "
        "alpha-2 code (Greece may use EL)."
    ),
)
def vat_identifier_prefix(doc: UblDoc) -> Iterable[Element]:
    for scheme in doc.anywhere("cac:PartyTaxScheme"):
        company_id = child(scheme, "cbc:CompanyID")
        # the official test searches the list string, so '' and partial codes pass
        if sval(company_id)[:2] not in VAT_PREFIX_LIST and is_vat(scheme):
            yield company_id


@rule(
    "BR-CO-10",
    N_(
        "The sum of invoice line net amounts (BT-106) must equal the sum of the lines' net "
        "amounts (BT-131): expected {expected}, found {found}."
    ),
)
def line_total_sum(doc: UblDoc) -> Iterable[Hit]:
    f = facts(doc)
    for totals in doc.all(TOTALS):
        found = dec(_amount(doc, totals, "cbc:LineExtensionAmount"))
        expected = round2(total([a for line in f.lines for a in line.amounts]))
        if found is None or found != expected:
            params = {"expected": fmt(expected), "found": fmt(found)}
            yield Hit(_at(totals, "cbc:LineExtensionAmount"), params=params)


def _document_ac_total(doc: UblDoc, charge: bool, name: str) -> Iterable[Hit]:
    acs = [ac for ac in facts(doc).document_acs if ac.kind(charge)]
    for totals in doc.all(TOTALS):
        el = _amount(doc, totals, name)
        if el is None and not acs:
            continue
        expected = round2(total([a for ac in acs for a in ac.amounts]))
        found = dec(el)
        if found is None or found != expected:
            params = {"expected": fmt(expected), "found": fmt(found)}
            yield Hit(el if el is not None else totals, params=params)


@rule(
    "BR-CO-11",
    N_(
        "The sum of allowances on document level (BT-107) must equal the sum of the document "
        "level allowance amounts (BT-92): expected {expected}, found {found}."
    ),
)
def allowance_total(doc: UblDoc) -> Iterable[Hit]:
    return _document_ac_total(doc, False, "cbc:AllowanceTotalAmount")


@rule(
    "BR-CO-12",
    N_(
        "The sum of charges on document level (BT-108) must equal the sum of the document "
        "level charge amounts (BT-99): expected {expected}, found {found}."
    ),
)
def charge_total(doc: UblDoc) -> Iterable[Hit]:
    return _document_ac_total(doc, True, "cbc:ChargeTotalAmount")


@rule(
    "BR-CO-13",
    N_(
        "The invoice total without VAT (BT-109) must equal the line net amounts (BT-106) minus "
        "allowances (BT-107) plus charges (BT-108): expected {expected}, found {found}."
    ),
)
def total_without_vat(doc: UblDoc) -> Iterable[Hit]:
    for totals in doc.all(TOTALS):
        found = dec(_amount(doc, totals, "cbc:TaxExclusiveAmount"))
        lines = dec(_amount(doc, totals, "cbc:LineExtensionAmount"))
        charges_el = _amount(doc, totals, "cbc:ChargeTotalAmount")
        allowances_el = _amount(doc, totals, "cbc:AllowanceTotalAmount")
        charges = dec(charges_el) if charges_el is not None else Decimal(0)
        allowances = dec(allowances_el) if allowances_el is not None else Decimal(0)
        expected = None
        if lines is not None and charges is not None and allowances is not None:
            if charges_el is None and allowances_el is None:
                expected = lines
            else:
                expected = round2(lines + charges - allowances)
        if found is None or expected is None or found != expected:
            params = {"expected": fmt(expected), "found": fmt(found)}
            yield Hit(_at(totals, "cbc:TaxExclusiveAmount"), params=params)


@rule(
    "BR-CO-14",
    N_(
        "The invoice total VAT amount (BT-110) must equal the sum of the VAT category tax "
        "amounts (BT-117): expected {expected}, found {found}."
    ),
)
def vat_total(doc: UblDoc) -> Iterable[Hit]:
    for tax_total in doc.all(TAX_TOTAL):
        if not below(doc, TAX_TOTAL, tax_total, "cac:TaxSubtotal"):
            continue
        expected = round2(total(below(doc, TAX_TOTAL, tax_total, "cac:TaxSubtotal/cbc:TaxAmount")))
        found = first_dec(below(doc, TAX_TOTAL, tax_total, "cbc:TaxAmount"))
        if found is None or found != expected:
            params = {"expected": fmt(expected), "found": fmt(found)}
            yield Hit(_at(tax_total, "cbc:TaxAmount"), params=params)


@rule(
    "BR-CO-15",
    N_(
        "The invoice total with VAT (BT-112) must equal the total without VAT (BT-109) plus the "
        "total VAT amount (BT-110): expected {expected}, found {found}."
    ),
)
def total_with_vat(doc: UblDoc) -> Iterable[Hit]:
    totals = doc.all(TOTALS)
    inclusive = dec(_amount(doc, totals[0], "cbc:TaxInclusiveAmount")) if totals else None
    exclusive = dec(_amount(doc, totals[0], "cbc:TaxExclusiveAmount")) if totals else None
    by_currency: dict[str | None, list[Element]] = {}
    for amount in doc.all("/cac:TaxTotal/cbc:TaxAmount"):
        by_currency.setdefault(amount.get("currencyID"), []).append(amount)
    for code in doc.all("/cbc:DocumentCurrencyCode"):
        amounts = by_currency.get(sval(code), [])
        vat = dec(amounts[0]) if len(amounts) == 1 else None
        expected = round2(exclusive + vat) if exclusive is not None and vat is not None else None
        if inclusive is None or expected is None or inclusive != expected:
            at = _at(totals[0], "cbc:TaxInclusiveAmount") if totals else doc.root
            yield Hit(at, params={"expected": fmt(expected), "found": fmt(inclusive)})


@rule(
    "BR-CO-16",
    N_(
        "The amount due for payment (BT-115) must equal the total with VAT (BT-112) minus the "
        "paid amount (BT-113) plus the rounding amount (BT-114): expected {expected}, found "
        "{found}."
    ),
)
def amount_due(doc: UblDoc) -> Iterable[Hit]:
    for totals in doc.all(TOTALS):
        payable = dec(_amount(doc, totals, "cbc:PayableAmount"))
        inclusive = dec(_amount(doc, totals, "cbc:TaxInclusiveAmount"))
        prepaid_el = _amount(doc, totals, "cbc:PrepaidAmount")
        rounding_el = _amount(doc, totals, "cbc:PayableRoundingAmount")
        prepaid, rounding = dec(prepaid_el), dec(rounding_el)
        expected: Decimal | None = None
        ok = False
        if inclusive is not None and (prepaid_el is None or prepaid is not None):
            due = round2(inclusive - prepaid) if prepaid is not None else inclusive
            if rounding_el is None:
                expected = due
                ok = payable is not None and payable == due
            elif rounding is not None:
                expected = due + rounding
                ok = payable is not None and round2(payable - rounding) == due
        if not ok:
            params = {"expected": fmt(expected), "found": fmt(payable)}
            yield Hit(_at(totals, "cbc:PayableAmount"), params=params)


@rule(
    "BR-CO-17",
    N_(
        "A VAT category tax amount (BT-117) must equal the taxable amount (BT-116) times the "
        "rate (BT-119), rounded to two decimals: expected {expected}, found {found}."
    ),
)
def breakdown_tax_amount(doc: UblDoc) -> Iterable[Hit]:
    for subtotal in facts(doc).subtotals:
        rates = [p for c in subtotal.vat_categories for p in c.percents]
        rate = dec(rates[0]) if rates else None
        tax = first_dec(subtotal.tax)
        expected: Decimal | None = None
        if tax is None:
            ok = False
        elif rate is None:
            ok = not rates and xround(tax) == 0
        elif xround(rate) == 0:
            ok = xround(tax) == 0
        else:
            taxable = first_dec(subtotal.taxable)
            if taxable is None:
                ok = False
            else:
                expected = round2(abs(taxable) * (rate / 100))
                ok = abs(tax) - 1 < expected < abs(tax) + 1
        if not ok:
            at = subtotal.tax[0] if subtotal.tax else subtotal.el
            yield Hit(at, params={"expected": fmt(expected), "found": fmt(tax)})


@rule("BR-CO-18", N_("The invoice has no VAT breakdown (BG-23)."))
def has_breakdown(doc: UblDoc) -> Iterable[Element]:
    if not doc.exists("/cac:TaxTotal/cac:TaxSubtotal"):
        yield doc.root


@rule(
    "BR-CO-19",
    N_("An invoicing period (BG-14) needs a start date (BT-73) or an end date (BT-74)."),
    field="period_start",
)
def period_filled(doc: UblDoc) -> Iterable[Element]:
    for period in document_periods(facts(doc)):
        if (
            child(period, "cbc:StartDate") is None
            and child(period, "cbc:EndDate") is None
            and child(period, "cbc:DescriptionCode") is None
        ):
            yield period


@rule(
    "BR-CO-20",
    N_("A line period (BG-26) needs a start date (BT-134) or an end date (BT-135)."),
    field="lines[{line}].period_start",
)
def line_period_filled(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        for period in line.periods:
            if child(period, "cbc:StartDate") is None and child(period, "cbc:EndDate") is None:
                yield period


@rule(
    "BR-CO-21",
    N_("A document level allowance needs a reason (BT-97), a reason code (BT-98), or both."),
)
def allowance_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).document_acs, False)


@rule(
    "BR-CO-22",
    N_("A document level charge needs a reason (BT-104), a reason code (BT-105), or both."),
)
def charge_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).document_acs, True)


@rule(
    "BR-CO-23",
    N_("An invoice line allowance needs a reason (BT-139), a reason code (BT-140), or both."),
    field="lines[{line}].allowances_charges",
)
def line_allowance_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).line_acs, False)


@rule(
    "BR-CO-24",
    N_("An invoice line charge needs a reason (BT-144), a reason code (BT-145), or both."),
    field="lines[{line}].allowances_charges",
)
def line_charge_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).line_acs, True)


# EN 16931 UBL 1.3.16 no longer has BR-CO-25; SI-UBL 2.0's copy of the rules still does.
@rule(
    "BR-CO-25",
    N_(
        "The amount due for payment (BT-115) is positive, so a payment due date (BT-9) or "
        "payment terms (BT-20) must be given."
    ),
    rule_set=RuleSet.NLCIUS,
    field="due_date",
)
def due_date_or_terms(doc: UblDoc) -> Iterable[Element]:
    if doc.is_credit_note:  # the official context is /ubl:Invoice only
        return
    f = facts(doc)
    for payable in doc.all("/cac:LegalMonetaryTotal/cbc:PayableAmount"):
        amount = dec(payable)
        if amount is None or amount <= 0:
            continue
        if not f.doc.anywhere("cbc:DueDate") and not f.doc.anywhere("cac:PaymentTerms/cbc:Note"):
            yield payable


@rule(
    "BR-CO-26",
    N_(
        "The seller needs a seller identifier (BT-29), a legal registration identifier (BT-30) "
        "or a VAT identifier (BT-31), so that the buyer can identify the supplier."
    ),
    field="seller.vat_number",
)
def seller_identified(doc: UblDoc) -> Iterable[Element]:
    context = "/cac:AccountingSupplierParty"
    for supplier in doc.all(context):
        schemes = below(doc, context, supplier, "cac:Party/cac:PartyTaxScheme")
        if any(is_vat(s) and child(s, "cbc:CompanyID") is not None for s in schemes):
            continue
        if below(doc, context, supplier, "cac:Party/cac:PartyIdentification/cbc:ID"):
            continue
        if below(doc, context, supplier, "cac:Party/cac:PartyLegalEntity/cbc:CompanyID"):
            continue
        yield supplier
