"""Peppol BIS Billing 3.0 transaction rules: PEPPOL-EN16931-R*, the Peppol code lists
(PEPPOL-EN16931-CL*), the profile rules (PEPPOL-EN16931-P*) and the date format (F001).

Rules the official schematron puts in one pattern see each element once: an allowance whose
percentage has no base amount is reported by R041 and not checked again by R040 or R043.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children, has
from ..findings import RuleSet, Severity
from ..registry import Hit, rule
from . import peppol_codelists as codes
from .peppol_helpers import (
    below,
    both_in,
    cached,
    is_root_credit_note,
    is_root_invoice,
    nvalue,
    string_value,
    within,
    xpath_number,
    xpath_round,
    xs_date,
    xs_decimal,
)

PEPPOL = RuleSet.PEPPOL
FATAL = Severity.FATAL
SLACK = Decimal("0.02")
XML_WHITESPACE = " \t\r\n"
TAX_CATEGORY = (
    "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}TaxCategory"
)

# The amounts whose currency the rules check (R051 leaves out the VAT total in accounting
# currency: a TaxAmount of a TaxTotal without subtotals).
AMOUNT_NAMES = (
    "cbc:Amount",
    "cbc:BaseAmount",
    "cbc:PriceAmount",
    "cbc:TaxableAmount",
    "cbc:LineExtensionAmount",
    "cbc:TaxExclusiveAmount",
    "cbc:TaxInclusiveAmount",
    "cbc:AllowanceTotalAmount",
    "cbc:ChargeTotalAmount",
    "cbc:PrepaidAmount",
    "cbc:PayableRoundingAmount",
    "cbc:PayableAmount",
)
DATE_NAMES = (
    "cbc:IssueDate",
    "cbc:DueDate",
    "cbc:TaxPointDate",
    "cbc:StartDate",
    "cbc:EndDate",
    "cbc:ActualDeliveryDate",
)
CUSTOMIZATION_PREFIX = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def profile(doc: UblDoc) -> str:
    """The process number of the profile (BT-23): ``01``, ``02`` or ``Unknown``."""
    return codes.PROFILES.get(nvalue(doc.first("/cbc:ProfileID")), "Unknown")


# --- document level -----------------------------------------------------------------------


@rule(
    "PEPPOL-EN16931-R008",
    N_("The document contains an empty element: leave out elements that have no value."),
    rule_set=PEPPOL,
)
def empty_elements(doc: UblDoc) -> Iterator[Element]:
    for el in chain((doc.root,), *doc.by_path.values()):
        if len(el) == 0:
            text = el.text
            # the first character settles it for (large) non-blank texts without a scan
            if not text or (text[0] in XML_WHITESPACE and not text.strip(XML_WHITESPACE)):
                yield el
        elif (
            not isinstance(el[0].tag, str)
            and not any(isinstance(c.tag, str) for c in el)
            and not nvalue(el)  # only comments or processing instructions inside
        ):
            yield el


@rule(
    "PEPPOL-EN16931-R080",
    N_("A credit note may refer to only one project (document reference type 50)."),
    rule_set=PEPPOL,
    field="project_reference",
)
def one_project_reference(doc: UblDoc) -> Iterator[Element]:
    if not is_root_credit_note(doc):
        return
    projects = [
        ref
        for ref in doc.all("/cac:AdditionalDocumentReference")
        if any(string_value(c) == "50" for c in children(ref, "cbc:DocumentTypeCode"))
    ]
    if len(projects) > 1:
        yield doc.root


@rule(
    "PEPPOL-EN16931-R001",
    N_("The business process (BT-23, ProfileID) is missing."),
    rule_set=PEPPOL,
)
def profile_present(doc: UblDoc) -> Iterator[Element]:
    if not doc.exists("/cbc:ProfileID"):
        yield doc.root


@rule(
    "PEPPOL-EN16931-R007",
    N_(
        "The business process (BT-23) must be an approved Peppol process identifier, such as "
        "'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0'."
    ),
    rule_set=PEPPOL,
)
def profile_known(doc: UblDoc) -> Iterator[Hit]:
    if profile(doc) == "Unknown":
        yield Hit(doc.first("/cbc:ProfileID"))  # the root when there is none


@rule(
    "PEPPOL-EN16931-R002",
    N_("Only one invoice note (BT-22) is allowed, unless seller and buyer are both in Germany."),
    rule_set=PEPPOL,
    field="notes",
)
def one_note(doc: UblDoc) -> Iterator[Element]:
    if len(doc.all("/cbc:Note")) > 1 and not both_in(doc, "DE"):
        yield doc.root


@rule(
    "PEPPOL-EN16931-R003",
    N_("A buyer reference (BT-10) or a purchase order reference (BT-13) is required."),
    rule_set=PEPPOL,
    field="buyer_reference",
)
def buyer_or_order_reference(doc: UblDoc) -> Iterator[Element]:
    if not doc.exists("/cbc:BuyerReference") and not doc.exists("/cac:OrderReference/cbc:ID"):
        yield doc.root


@rule(
    "PEPPOL-EN16931-R004",
    N_(
        "The specification identifier (BT-24) must begin with 'urn:cen.eu:en16931:2017#compliant"
        "#urn:fdc:peppol.eu:2017:poacc:billing:3.0'."
    ),
    rule_set=PEPPOL,
)
def customization_id(doc: UblDoc) -> Iterator[Hit]:
    value = nvalue(doc.first("/cbc:CustomizationID"))
    if not value.startswith(CUSTOMIZATION_PREFIX) or "::" in value:
        yield Hit(doc.first("/cbc:CustomizationID"))


@rule(
    "PEPPOL-EN16931-R053",
    N_("The document must have exactly one VAT total with a VAT breakdown."),
    rule_set=PEPPOL,
)
def one_tax_total_with_breakdown(doc: UblDoc) -> Iterator[Element]:
    if sum(1 for t in doc.all("/cac:TaxTotal") if has(t, "cac:TaxSubtotal")) != 1:
        yield doc.root


@rule(
    "PEPPOL-EN16931-R054",
    N_(
        "A VAT total without breakdown (in the VAT accounting currency) must be given exactly "
        "when a VAT accounting currency (BT-6) is."
    ),
    rule_set=PEPPOL,
)
def tax_total_in_accounting_currency(doc: UblDoc) -> Iterator[Element]:
    bare = sum(1 for t in doc.all("/cac:TaxTotal") if not has(t, "cac:TaxSubtotal"))
    if bare != (1 if doc.exists("/cbc:TaxCurrencyCode") else 0):
        yield doc.root


@rule(
    "PEPPOL-EN16931-R055",
    N_(
        "The VAT total (BT-110) and the VAT total in accounting currency (BT-111) must have the "
        "same sign."
    ),
    rule_set=PEPPOL,
)
def tax_totals_same_sign(doc: UblDoc) -> Iterator[Element]:
    if not doc.exists("/cbc:TaxCurrencyCode"):
        return
    tax_currency = nvalue(doc.first("/cbc:TaxCurrencyCode"))
    currency = nvalue(doc.first("/cbc:DocumentCurrencyCode"))
    amounts = [a for t in doc.all("/cac:TaxTotal") for a in children(t, "cbc:TaxAmount")]
    in_tax = [xpath_number(string_value(a)) for a in amounts if a.get("currencyID") == tax_currency]
    in_doc = [xpath_number(string_value(a)) for a in amounts if a.get("currencyID") == currency]
    negative = any(v <= 0 for v in in_tax) and any(v <= 0 for v in in_doc)
    positive = any(v >= 0 for v in in_tax) and any(v >= 0 for v in in_doc)
    if not negative and not positive:
        yield doc.root


@rule(
    "PEPPOL-EN16931-R005",
    N_("The VAT accounting currency (BT-6) must differ from the invoice currency (BT-5)."),
    rule_set=PEPPOL,
)
def tax_currency_differs(doc: UblDoc) -> Iterator[Element]:
    for el in doc.anywhere("cbc:TaxCurrencyCode"):
        parent = el.getparent()
        document_currency = child(parent, "cbc:DocumentCurrencyCode")
        if nvalue(el) == nvalue(document_currency):
            yield el


@rule(
    "PEPPOL-EN16931-R010",
    N_("The buyer's electronic address (BT-49) is missing."),
    rule_set=PEPPOL,
    field="buyer.endpoint",
)
def buyer_endpoint(doc: UblDoc) -> Iterator[Element]:
    for party in doc.anywhere("cac:AccountingCustomerParty/cac:Party"):
        if not has(party, "cbc:EndpointID"):
            yield party


@rule(
    "PEPPOL-EN16931-R020",
    N_("The seller's electronic address (BT-34) is missing."),
    rule_set=PEPPOL,
    field="seller.endpoint",
)
def seller_endpoint(doc: UblDoc) -> Iterator[Element]:
    for party in doc.anywhere("cac:AccountingSupplierParty/cac:Party"):
        if not has(party, "cbc:EndpointID"):
            yield party


# --- allowances and charges ---------------------------------------------------------------


def _allowance_charges(doc: UblDoc) -> list[tuple[Element, str]]:
    """Document and line allowances/charges with the first rule of the pattern they meet:
    ``percent-only`` (R041), ``base-only`` (R042) or ``checked`` (R040 and R043)."""

    def compute(doc: UblDoc) -> list[tuple[Element, str]]:
        if not (is_root_invoice(doc) or is_root_credit_note(doc)):
            return []
        found = doc.all("/cac:AllowanceCharge") + doc.all(f"/{doc.line_name}/cac:AllowanceCharge")
        result = []
        for ac in found:
            percent, base = has(ac, "cbc:MultiplierFactorNumeric"), has(ac, "cbc:BaseAmount")
            if percent and not base:
                result.append((ac, "percent-only"))
            elif base and not percent:
                result.append((ac, "base-only"))
            else:
                result.append((ac, "checked"))
        return result

    return cached(doc, "allowance_charges", compute)


@rule(
    "PEPPOL-EN16931-R041",
    N_(
        "The allowance or charge base amount (BT-93, BT-100, BT-137, BT-142) is required when a "
        "percentage is given."
    ),
    rule_set=PEPPOL,
)
def base_amount_with_percentage(doc: UblDoc) -> Iterator[Element]:
    yield from (ac for ac, kind in _allowance_charges(doc) if kind == "percent-only")


@rule(
    "PEPPOL-EN16931-R042",
    N_(
        "The allowance or charge percentage (BT-94, BT-101, BT-138, BT-143) is required when a "
        "base amount is given."
    ),
    rule_set=PEPPOL,
)
def percentage_with_base_amount(doc: UblDoc) -> Iterator[Element]:
    yield from (ac for ac, kind in _allowance_charges(doc) if kind == "base-only")


@rule(
    "PEPPOL-EN16931-R040",
    N_(
        "The allowance or charge amount must equal base amount × percentage ÷ 100 "
        "(expected {expected}, found {found})."
    ),
    rule_set=PEPPOL,
)
def allowance_amount_from_percentage(doc: UblDoc) -> Iterator[Hit]:
    for ac, kind in _allowance_charges(doc):
        if kind != "checked" or not has(ac, "cbc:MultiplierFactorNumeric"):
            continue
        amount_el = child(ac, "cbc:Amount")
        amount = xs_decimal(string_value(amount_el)) if amount_el is not None else Decimal(0)
        base = xs_decimal(string_value(child(ac, "cbc:BaseAmount")))
        percent = xs_decimal(string_value(child(ac, "cbc:MultiplierFactorNumeric")))
        if amount is None or base is None or percent is None:
            continue
        expected = base * percent / 100
        if not within(amount, expected, SLACK):
            yield Hit(ac, params={"expected": _plain(expected), "found": _plain(amount)})


@rule(
    "PEPPOL-EN16931-R043",
    N_("The allowance/charge indicator must be 'true' or 'false'."),
    rule_set=PEPPOL,
)
def charge_indicator_value(doc: UblDoc) -> Iterator[Element]:
    for ac, kind in _allowance_charges(doc):
        if kind == "checked" and nvalue(child(ac, "cbc:ChargeIndicator")) not in ("true", "false"):
            yield ac


@rule(
    "PEPPOL-EN16931-R061",
    N_("A direct debit (payment means 49 or 59) needs the mandate reference (BT-89)."),
    rule_set=PEPPOL,
    field="payment_means",
)
def mandate_for_direct_debit(doc: UblDoc) -> Iterator[Element]:
    for means in doc.anywhere("cac:PaymentMeans"):
        code = nvalue(child(means, "cbc:PaymentMeansCode"))
        if code in ("49", "59") and not has(means, "cac:PaymentMandate/cbc:ID"):
            yield means


def _amounts_checked_for_currency(doc: UblDoc) -> list[Element]:
    def compute(doc: UblDoc) -> list[Element]:
        found = [el for name in AMOUNT_NAMES for el in doc.anywhere(name)]
        for amount in doc.anywhere("cbc:TaxAmount"):
            parent = amount.getparent()
            tag = parent.tag if parent is not None else ""
            if tag.endswith("}TaxSubtotal") or (
                tag.endswith("}TaxTotal") and has(parent, "cac:TaxSubtotal")
            ):
                found.append(amount)
        return found

    return cached(doc, "currency_amounts", compute)


@rule(
    "PEPPOL-EN16931-R051",
    N_(
        "Every amount must be in the invoice currency (BT-5), except the VAT total in accounting "
        "currency (BT-111)."
    ),
    rule_set=PEPPOL,
)
def amounts_in_document_currency(doc: UblDoc) -> Iterator[Element]:
    currencies = [string_value(el) for el in doc.all("/cbc:DocumentCurrencyCode")]
    for amount in _amounts_checked_for_currency(doc):
        if amount.get("currencyID") not in currencies:
            yield amount


# --- lines --------------------------------------------------------------------------------


def _line_period_dates(doc: UblDoc, name: str) -> Iterable[tuple[Element, tuple, tuple]]:
    """Line period dates ``name`` with the document period's date of the same name."""
    if not (is_root_invoice(doc) or is_root_credit_note(doc)):
        return
    document_date = doc.first(f"/cac:InvoicePeriod/{name}")
    if document_date is None:
        return
    limit = xs_date(document_date.text)
    if limit is None:
        return
    for el in doc.all(f"/{doc.line_name}/cac:InvoicePeriod/{name}"):
        value = xs_date(el.text)
        if value is not None:
            yield el, value, limit


@rule(
    "PEPPOL-EN16931-R110",
    N_("The line period start date (BT-134) must lie within the invoice period."),
    rule_set=PEPPOL,
)
def line_start_within_period(doc: UblDoc) -> Iterator[Element]:
    for el, value, limit in _line_period_dates(doc, "cbc:StartDate"):
        if value < limit:
            yield el


@rule(
    "PEPPOL-EN16931-R111",
    N_("The line period end date (BT-135) must lie within the invoice period."),
    rule_set=PEPPOL,
)
def line_end_within_period(doc: UblDoc) -> Iterator[Element]:
    for el, value, limit in _line_period_dates(doc, "cbc:EndDate"):
        if value > limit:
            yield el


LINE_NAMES = ("cac:InvoiceLine", "cac:CreditNoteLine")


def _lines(doc: UblDoc) -> list[Element]:
    """Invoice and credit note lines (the official context takes either kind)."""
    return cached(doc, "lines", lambda d: d.all("/cac:InvoiceLine") + d.all("/cac:CreditNoteLine"))


def _line_parts(doc: UblDoc, relative: str) -> dict[Element, list[Element]]:
    """``relative`` below each line, by line."""

    def compute(doc: UblDoc) -> dict[Element, list[Element]]:
        parts: dict[Element, list[Element]] = {}
        for name in LINE_NAMES:
            parts.update(below(doc, "/" + name, relative))
        return parts

    return cached(doc, "line_parts:" + relative, compute)


def _first_decimal(found: list[Element] | None, default: Decimal) -> Decimal | None:
    return default if not found else xs_decimal(string_value(found[0]))


def _line_sum(charges: list[Element], indicator: str) -> Decimal | None:
    """Line allowances (``false``) or charges (``true``), rounded as the official rule does."""
    matching = [ac for ac in charges if nvalue(child(ac, "cbc:ChargeIndicator")) == indicator]
    total = Decimal(0)
    for ac in matching:
        for amount in children(ac, "cbc:Amount"):
            value = xs_decimal(string_value(amount))
            if value is None:
                return None
            total += value
    return xpath_round(total * 100) / 100 if matching else Decimal(0)


@rule(
    "PEPPOL-EN16931-R120",
    N_(
        "The line net amount (BT-131) must equal quantity × (price ÷ price base quantity) + line "
        "charges − line allowances (expected {expected}, found {found})."
    ),
    rule_set=PEPPOL,
    field="lines[{line}].net_amount",
)
def line_net_amount(doc: UblDoc) -> Iterator[Hit]:
    lines = _lines(doc)
    if not lines:
        return
    quantity_name = "cbc:InvoicedQuantity" if is_root_invoice(doc) else "cbc:CreditedQuantity"
    nets = _line_parts(doc, "cbc:LineExtensionAmount")
    quantities = _line_parts(doc, quantity_name)
    prices = _line_parts(doc, "cac:Price/cbc:PriceAmount")
    bases = _line_parts(doc, "cac:Price/cbc:BaseQuantity")
    charges = _line_parts(doc, "cac:AllowanceCharge")
    for line in lines:
        net = _first_decimal(nets.get(line), Decimal(0))
        quantity = _first_decimal(quantities.get(line), Decimal(1))
        price = _first_decimal(prices.get(line), Decimal(0))
        base = _first_decimal(bases.get(line), Decimal(1))
        line_charges = charges.get(line, [])
        allowances = _line_sum(line_charges, "false") if line_charges else Decimal(0)
        surcharges = _line_sum(line_charges, "true") if line_charges else Decimal(0)
        if (  # "is None", not "None in (...)": Decimal's == with None is slow
            net is None
            or quantity is None
            or price is None
            or base is None
            or allowances is None
            or surcharges is None
        ):
            continue
        if base == 0:
            base = Decimal(1)
        expected = quantity * (price / base) + surcharges - allowances
        if not within(net, expected, SLACK):
            yield Hit(line, params={"expected": _plain(expected), "found": _plain(net)})


@rule(
    "PEPPOL-EN16931-R121",
    N_("The price base quantity (BT-149) must be a number above zero."),
    rule_set=PEPPOL,
    field="lines[{line}].base_quantity",
)
def base_quantity_positive(doc: UblDoc) -> Iterator[Element]:
    for line, bases in _line_parts(doc, "cac:Price/cbc:BaseQuantity").items():
        value = xs_decimal(string_value(bases[0]))
        if value is not None and value <= 0:
            yield line


@rule(
    "PEPPOL-EN16931-R100",
    N_("An invoice line may refer to only one invoiced object (BT-128)."),
    rule_set=PEPPOL,
)
def one_line_object(doc: UblDoc) -> Iterator[Element]:
    for line, refs in _line_parts(doc, "cac:DocumentReference").items():
        if len(refs) > 1:
            yield line


@rule(
    "PEPPOL-EN16931-R101",
    N_("A document reference on an invoice line may only be the invoiced object (type code 130)."),
    rule_set=PEPPOL,
)
def line_reference_is_object(doc: UblDoc) -> Iterator[Element]:
    for line, refs in _line_parts(doc, "cac:DocumentReference").items():
        type_codes = [c for ref in refs for c in children(ref, "cbc:DocumentTypeCode")]
        if not any(string_value(code) == "130" for code in type_codes):
            yield line


@rule(
    "PEPPOL-EN16931-R044",
    N_("A charge on the item price is not allowed: the price allowance indicator must be 'false'."),
    rule_set=PEPPOL,
    field="lines[{line}].net_price",
)
def no_price_charge(doc: UblDoc) -> Iterator[Element]:
    for ac in doc.anywhere("cac:Price/cac:AllowanceCharge"):
        if nvalue(child(ac, "cbc:ChargeIndicator")) != "false":
            yield ac


@rule(
    "PEPPOL-EN16931-R046",
    N_(
        "The item net price (BT-146) must equal the gross price (BT-148) minus the price "
        "discount (BT-147)."
    ),
    rule_set=PEPPOL,
    field="lines[{line}].net_price",
)
def net_price_from_gross(doc: UblDoc) -> Iterator[Element]:
    for ac in doc.anywhere("cac:Price/cac:AllowanceCharge"):
        base_el = child(ac, "cbc:BaseAmount")
        if base_el is None:
            continue
        price_el = child(ac.getparent(), "cbc:PriceAmount")
        amount_el = child(ac, "cbc:Amount")
        if price_el is None or amount_el is None:
            yield ac
            continue
        price, base = xs_decimal(string_value(price_el)), xs_decimal(string_value(base_el))
        amount = xs_decimal(string_value(amount_el))
        if None not in (price, base, amount) and price != base - amount:
            yield ac


@rule(
    "PEPPOL-EN16931-R130",
    N_(
        "The unit of the price base quantity (BT-150) must be the unit of the invoiced quantity "
        "(BT-130)."
    ),
    rule_set=PEPPOL,
    field="lines[{line}].base_quantity",
)
def base_quantity_unit(doc: UblDoc) -> Iterator[Element]:
    quantity_name = "cbc:InvoicedQuantity" if is_root_invoice(doc) else "cbc:CreditedQuantity"
    for base in doc.anywhere("cac:Price/cbc:BaseQuantity"):
        unit = base.get("unitCode")
        if unit is None:
            continue
        line = base.getparent().getparent()
        if line is None or not (
            has(line, "cbc:InvoicedQuantity") or has(line, "cbc:CreditedQuantity")
        ):
            continue
        if unit not in [q.get("unitCode") for q in children(line, quantity_name)]:
            yield base


# --- code lists ---------------------------------------------------------------------------


@rule(
    "PEPPOL-EN16931-CL001",
    N_(
        "The attachment's MIME code must be one of: application/pdf, image/png, image/jpeg, "
        "text/csv, or the spreadsheet types xlsx and ods."
    ),
    rule_set=PEPPOL,
)
def attachment_mime_code(doc: UblDoc) -> Iterator[Element]:
    for el in doc.anywhere("cbc:EmbeddedDocumentBinaryObject"):
        mime = el.get("mimeCode")
        if mime is not None and mime not in codes.MIME_CODES:
            yield el


def _reason_codes(doc: UblDoc, indicator: str) -> Iterator[Element]:
    for el in doc.anywhere("cbc:AllowanceChargeReasonCode"):
        parent = el.getparent()
        if (
            parent is not None
            and parent.tag.endswith("}AllowanceCharge")
            and any(string_value(c) == indicator for c in children(parent, "cbc:ChargeIndicator"))
        ):
            yield el


@rule(
    "PEPPOL-EN16931-CL002",
    N_("The allowance reason code must come from the Peppol subset of UNCL 5189."),
    rule_set=PEPPOL,
)
def allowance_reason_code(doc: UblDoc) -> Iterator[Element]:
    for el in _reason_codes(doc, "false"):
        if nvalue(el) not in codes.ALLOWANCE_REASON_CODES:
            yield el


@rule(
    "PEPPOL-EN16931-CL003",
    N_("The charge reason code must come from UNCL 7161."),
    rule_set=PEPPOL,
)
def charge_reason_code(doc: UblDoc) -> Iterator[Element]:
    for el in _reason_codes(doc, "true"):
        if nvalue(el) not in codes.CHARGE_REASON_CODES:
            yield el


@rule(
    "PEPPOL-EN16931-CL006",
    N_("The invoice period description code (BT-8) must be 3, 35 or 432 (UNCL 2005)."),
    rule_set=PEPPOL,
)
def period_description_code(doc: UblDoc) -> Iterator[Element]:
    for el in doc.anywhere("cac:InvoicePeriod/cbc:DescriptionCode"):
        if nvalue(el) not in codes.PERIOD_DESCRIPTION_CODES:
            yield el


@rule(
    "PEPPOL-EN16931-CL007",
    N_("The currency code of an amount must be an ISO 4217 currency."),
    rule_set=PEPPOL,
)
def amount_currency_code(doc: UblDoc) -> Iterator[Element]:
    for name in (*AMOUNT_NAMES, "cbc:TaxAmount"):
        for el in doc.anywhere(name):
            if el.get("currencyID") not in codes.CURRENCY_CODES:
                yield el


@rule(
    "PEPPOL-EN16931-CL008",
    N_(
        "The electronic address scheme must be from the Peppol list of electronic address "
        "schemes (EAS)."
    ),
    rule_set=PEPPOL,
)
def endpoint_scheme(doc: UblDoc) -> Iterator[Element]:
    for el in doc.anywhere("cbc:EndpointID"):
        scheme = el.get("schemeID")
        if scheme is not None and scheme not in codes.ENDPOINT_SCHEMES:
            yield el


@rule(
    "PEPPOL-EN16931-P0100",
    N_("The invoice type code (BT-3) is not allowed in this business process."),
    rule_set=PEPPOL,
)
def invoice_type_code(doc: UblDoc) -> Iterator[Element]:
    if profile(doc) not in ("01", "02"):
        return
    for el in doc.anywhere("cbc:InvoiceTypeCode"):
        if nvalue(el) not in codes.INVOICE_TYPE_CODES:
            yield el


@rule(
    "PEPPOL-EN16931-P0112",
    N_(
        "Invoice type codes 326 and 384 are only allowed when seller and buyer are both in Germany."
    ),
    rule_set=PEPPOL,
)
def german_only_type_codes(doc: UblDoc) -> Iterator[Element]:
    for el in doc.anywhere("cbc:InvoiceTypeCode"):
        if nvalue(el) in ("326", "384") and not both_in(doc, "DE"):
            yield el


@rule(
    "PEPPOL-EN16931-P0101",
    N_("The credit note type code (BT-3) is not allowed in this business process."),
    rule_set=PEPPOL,
)
def credit_note_type_code(doc: UblDoc) -> Iterator[Element]:
    if profile(doc) not in ("01", "02"):
        return
    for el in doc.anywhere("cbc:CreditNoteTypeCode"):
        if nvalue(el) not in codes.CREDIT_NOTE_TYPE_CODES:
            yield el


@rule(
    "PEPPOL-EN16931-F001",
    N_("A date must be written as YYYY-MM-DD."),
    rule_set=PEPPOL,
)
def date_format(doc: UblDoc) -> Iterator[Element]:
    for name in DATE_NAMES:
        for el in doc.anywhere(name):
            value = string_value(el)
            if len(value) != 10 or xs_date(value) is None:
                yield el


def _exempt_categories(doc: UblDoc) -> list[tuple[Element, str]]:
    """Each ``cac:TaxCategory`` with an exemption reason code, and the code upper-cased."""

    def compute(doc: UblDoc) -> list[tuple[Element, str]]:
        found = []
        for code in doc.anywhere("cbc:TaxExemptionReasonCode"):
            category = code.getparent()
            if (
                category is not None
                and category.tag == TAX_CATEGORY
                and child(category, "cbc:TaxExemptionReasonCode") is code
            ):
                found.append((category, string_value(code).upper()))
        return found

    return cached(doc, "exempt_categories", compute)


def _exemption_rule(rule_id: str, code: str, category: str) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        for tax_category, reason in _exempt_categories(doc):
            if reason == code and nvalue(child(tax_category, "cbc:ID")) != category:
                yield tax_category

    check.__name__ = f"exemption_{code.lower().replace('-', '_')}"
    rule(rule_id, _EXEMPTION_MESSAGES[rule_id], rule_set=PEPPOL, field="vat_exemptions")(check)


_EXEMPTION_MESSAGES = {
    "PEPPOL-EN16931-P0104": N_("Exemption reason code VATEX-EU-G requires VAT category G."),
    "PEPPOL-EN16931-P0105": N_("Exemption reason code VATEX-EU-O requires VAT category O."),
    "PEPPOL-EN16931-P0106": N_("Exemption reason code VATEX-EU-IC requires VAT category K."),
    "PEPPOL-EN16931-P0107": N_("Exemption reason code VATEX-EU-AE requires VAT category AE."),
    "PEPPOL-EN16931-P0108": N_("Exemption reason code VATEX-EU-D requires VAT category E."),
    "PEPPOL-EN16931-P0109": N_("Exemption reason code VATEX-EU-F requires VAT category E."),
    "PEPPOL-EN16931-P0110": N_("Exemption reason code VATEX-EU-I requires VAT category E."),
    "PEPPOL-EN16931-P0111": N_("Exemption reason code VATEX-EU-J requires VAT category E."),
}

for _code, (_rule_id, _category) in codes.VATEX_CATEGORY.items():
    _exemption_rule(_rule_id, _code, _category)


def _plain(value: Decimal) -> str:
    """An amount for a message: two decimals, as a plain string."""
    return f"{value.quantize(Decimal('0.01')):f}"
