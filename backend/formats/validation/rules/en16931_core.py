"""EN 16931 core rules BR-01 .. BR-65: what an invoice must contain.

Reimplemented from the EN 16931 UBL binding (release 1.3.16). Each rule keeps the official
test's details (which element is the context, first of several, existence versus empty text).
BR-66 and BR-67 are not part of 1.3.16 and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ....domain.errors import N_
from ..document import Element, UblDoc, child
from ..findings import Severity
from ..registry import rule
from .en16931_common import (
    AllowanceCharge,
    Facts,
    below,
    decs,
    facts,
    first_nz,
    first_or_root,
    is_vat,
    norm,
    nz,
    sval,
)

SELLER = "/cac:AccountingSupplierParty/cac:Party"
BUYER = "/cac:AccountingCustomerParty/cac:Party"
PAYEE = "/cac:PayeeParty"
REPRESENTATIVE = "/cac:TaxRepresentativeParty"
TOTALS = "/cac:LegalMonetaryTotal"
MEANS = "/cac:PaymentMeans"
_DATE = re.compile(r"[ \t\r\n]*(\d{4}-\d\d-\d\d)(?:Z|[+-]\d\d:\d\d)?[ \t\r\n]*")


def _empty(doc: UblDoc, path: str) -> bool:
    """``normalize-space(path) = ''``."""
    return nz(doc.first(path)) == ""


# --- the document as a whole (context: the Invoice / CreditNote root) ------------------------


@rule("BR-01", N_("The specification identifier (BT-24) is missing."))
def specification_identifier(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, "/cbc:CustomizationID"):
        yield doc.root


@rule("BR-02", N_("The invoice number (BT-1) is missing."), field="number")
def invoice_number(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, "/cbc:ID"):
        yield doc.root


@rule("BR-03", N_("The invoice issue date (BT-2) is missing."), field="issue_date")
def issue_date(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, "/cbc:IssueDate"):
        yield doc.root


@rule("BR-04", N_("The invoice type code (BT-3) is missing."))
def type_code(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, "/cbc:InvoiceTypeCode") and _empty(doc, "/cbc:CreditNoteTypeCode"):
        yield doc.root


@rule("BR-05", N_("The invoice currency code (BT-5) is missing."), field="currency")
def currency_code(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, "/cbc:DocumentCurrencyCode"):
        yield doc.root


@rule("BR-06", N_("The seller name (BT-27) is missing."), field="seller.name")
def seller_name(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName"):
        yield first_or_root(doc, SELLER)


@rule("BR-07", N_("The buyer name (BT-44) is missing."), field="buyer.name")
def buyer_name(doc: UblDoc) -> Iterable[Element]:
    if _empty(doc, BUYER + "/cac:PartyLegalEntity/cbc:RegistrationName"):
        yield first_or_root(doc, BUYER)


@rule("BR-08", N_("The seller postal address (BG-5) is missing."), field="seller.address")
def seller_address(doc: UblDoc) -> Iterable[Element]:
    if not doc.exists(SELLER + "/cac:PostalAddress"):
        yield first_or_root(doc, SELLER)


@rule("BR-10", N_("The buyer postal address (BG-8) is missing."), field="buyer.address")
def buyer_address(doc: UblDoc) -> Iterable[Element]:
    if not doc.exists(BUYER + "/cac:PostalAddress"):
        yield first_or_root(doc, BUYER)


@rule("BR-16", N_("The invoice has no invoice line (BG-25)."), field="lines")
def has_lines(doc: UblDoc) -> Iterable[Element]:
    if not doc.exists("/cac:InvoiceLine") and not doc.exists("/cac:CreditNoteLine"):
        yield doc.root


@rule(
    "BR-53",
    N_(
        "The VAT accounting currency code (BT-6) is given, so the total VAT amount in that "
        "currency (BT-111) must be given too."
    ),
)
def tax_currency_total(doc: UblDoc) -> Iterable[Element]:
    codes = doc.all("/cbc:TaxCurrencyCode")
    if not codes:
        return
    amounts = doc.anywhere("cac:TaxTotal/cbc:TaxAmount")
    currencies = {amount.get("currencyID") for amount in amounts}
    for code in codes:
        if sval(code) not in currencies:
            yield code


# --- addresses -------------------------------------------------------------------------------


def _without_country(doc: UblDoc, context: str) -> Iterable[Element]:
    for address in doc.all(context):
        if not first_nz(below(doc, context, address, "cac:Country/cbc:IdentificationCode")):
            yield address


@rule(
    "BR-09",
    N_("The seller postal address has no country code (BT-40)."),
    field="seller.address.country_code",
)
def seller_country(doc: UblDoc) -> Iterable[Element]:
    return _without_country(doc, SELLER + "/cac:PostalAddress")


@rule(
    "BR-11",
    N_("The buyer postal address has no country code (BT-55)."),
    field="buyer.address.country_code",
)
def buyer_country(doc: UblDoc) -> Iterable[Element]:
    return _without_country(doc, BUYER + "/cac:PostalAddress")


@rule(
    "BR-20",
    N_("The seller's tax representative postal address has no country code (BT-69)."),
)
def tax_representative_country(doc: UblDoc) -> Iterable[Element]:
    return _without_country(doc, "/cac:TaxRepresentativeParty/cac:PostalAddress")


@rule(
    "BR-57",
    N_("The deliver-to address (BG-15) has no country code (BT-80)."),
    field="delivery.address",
)
def delivery_country(doc: UblDoc) -> Iterable[Element]:
    for address in doc.anywhere("cac:Delivery/cac:DeliveryLocation/cac:Address"):
        if child(address, "cac:Country/cbc:IdentificationCode") is None:
            yield address


# --- document totals -------------------------------------------------------------------------


def _totals_missing(doc: UblDoc, name: str) -> Iterable[Element]:
    for totals in doc.all(TOTALS):
        if not below(doc, TOTALS, totals, name):
            yield totals


@rule("BR-12", N_("The sum of invoice line net amounts (BT-106) is missing."))
def line_total(doc: UblDoc) -> Iterable[Element]:
    return _totals_missing(doc, "cbc:LineExtensionAmount")


@rule("BR-13", N_("The invoice total amount without VAT (BT-109) is missing."))
def total_without_vat(doc: UblDoc) -> Iterable[Element]:
    return _totals_missing(doc, "cbc:TaxExclusiveAmount")


@rule("BR-14", N_("The invoice total amount with VAT (BT-112) is missing."))
def total_with_vat(doc: UblDoc) -> Iterable[Element]:
    return _totals_missing(doc, "cbc:TaxInclusiveAmount")


@rule("BR-15", N_("The amount due for payment (BT-115) is missing."))
def amount_due(doc: UblDoc) -> Iterable[Element]:
    return _totals_missing(doc, "cbc:PayableAmount")


# --- parties ---------------------------------------------------------------------------------


def _texts(doc: UblDoc, context: str, el: Element, path: str) -> set[str]:
    return {sval(found) for found in below(doc, context, el, path)}


@rule(
    "BR-17",
    N_("The payee name (BT-59) is required when the payee is not the seller."),
    field="payee.name",
)
def payee_name(doc: UblDoc) -> Iterable[Element]:
    for payee in doc.all(PAYEE):
        seller = doc.first(SELLER)
        names = _texts(doc, PAYEE, payee, "cac:PartyName/cbc:Name")
        if seller is None:
            if not names:
                yield payee
            continue
        if (
            not names
            or names & _texts(doc, SELLER, seller, "cac:PartyName/cbc:Name")
            or _texts(doc, PAYEE, payee, "cac:PartyIdentification/cbc:ID")
            & _texts(doc, SELLER, seller, "cac:PartyIdentification/cbc:ID")
        ):
            yield payee


@rule("BR-18", N_("The seller's tax representative name (BT-62) is missing."))
def tax_representative_name(doc: UblDoc) -> Iterable[Element]:
    for party in doc.all(REPRESENTATIVE):
        if not first_nz(below(doc, REPRESENTATIVE, party, "cac:PartyName/cbc:Name")):
            yield party


@rule("BR-19", N_("The seller's tax representative postal address (BG-12) is missing."))
def tax_representative_address(doc: UblDoc) -> Iterable[Element]:
    for party in doc.all(REPRESENTATIVE):
        if not below(doc, REPRESENTATIVE, party, "cac:PostalAddress"):
            yield party


@rule("BR-56", N_("The seller's tax representative has no VAT identifier (BT-63)."))
def tax_representative_vat(doc: UblDoc) -> Iterable[Element]:
    for party in doc.all(REPRESENTATIVE):
        schemes = below(doc, REPRESENTATIVE, party, "cac:PartyTaxScheme")
        if not any(is_vat(s) and child(s, "cbc:CompanyID") is not None for s in schemes):
            yield party


@rule(
    "BR-62",
    N_("The seller's electronic address (BT-34) has no scheme identifier."),
    field="seller.endpoint",
)
def seller_endpoint_scheme(doc: UblDoc) -> Iterable[Element]:
    for endpoint in doc.all(SELLER + "/cbc:EndpointID"):
        if endpoint.get("schemeID") is None:
            yield endpoint


@rule(
    "BR-63",
    N_("The buyer's electronic address (BT-49) has no scheme identifier."),
    field="buyer.endpoint",
)
def buyer_endpoint_scheme(doc: UblDoc) -> Iterable[Element]:
    for endpoint in doc.all(BUYER + "/cbc:EndpointID"):
        if endpoint.get("schemeID") is None:
            yield endpoint


# --- invoice lines ---------------------------------------------------------------------------


@rule("BR-21", N_("An invoice line has no line identifier (BT-126)."), field="lines[{line}].id")
def line_id(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not first_nz(line.ids):
            yield line.el


@rule(
    "BR-22",
    N_("An invoice line has no invoiced quantity (BT-129)."),
    field="lines[{line}].quantity",
)
def line_quantity(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not line.quantities:
            yield line.el


@rule(
    "BR-23",
    N_("The invoiced quantity of a line has no unit of measure code (BT-130)."),
    field="lines[{line}].unit_code",
)
def line_unit(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not any(q.get("unitCode") is not None for q in line.quantities):
            yield line.quantities[0] if line.quantities else line.el


@rule(
    "BR-24",
    N_("An invoice line has no line net amount (BT-131)."),
    field="lines[{line}].net_amount",
)
def line_net_amount(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not line.amounts:
            yield line.el


@rule("BR-25", N_("An invoice line has no item name (BT-153)."), field="lines[{line}].name")
def line_item_name(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not first_nz(line.item_names):
            yield line.el


@rule(
    "BR-26",
    N_("An invoice line has no item net price (BT-146)."),
    field="lines[{line}].net_price",
)
def line_price(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not line.prices:
            yield line.el


def _any_at_least_zero(elements: list[Element]) -> bool:
    return any(number >= 0 for number in decs(elements))


@rule(
    "BR-27",
    N_("The item net price (BT-146) must not be negative."),
    field="lines[{line}].net_price",
)
def line_price_not_negative(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if not _any_at_least_zero(line.prices):
            yield line.prices[0] if line.prices else line.el


@rule(
    "BR-28",
    N_("The item gross price (BT-148) must not be negative."),
    field="lines[{line}].net_price",
)
def line_gross_price_not_negative(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        if line.gross_bases and not _any_at_least_zero(line.gross_bases):
            yield line.gross_bases[0]


def _line_item_ids(f: Facts, name: str) -> list[Element]:
    return f.doc.anywhere("cac:InvoiceLine/cac:Item/" + name) + f.doc.anywhere(
        "cac:CreditNoteLine/cac:Item/" + name
    )


@rule(
    "BR-64",
    N_("The item standard identifier (BT-157) has no scheme identifier."),
    field="lines[{line}].standard_item_id",
)
def standard_item_scheme(doc: UblDoc) -> Iterable[Element]:
    for el in _line_item_ids(facts(doc), "cac:StandardItemIdentification/cbc:ID"):
        if el.get("schemeID") is None:
            yield el


@rule(
    "BR-65",
    N_("The item classification identifier (BT-158) has no scheme identifier."),
    field="lines[{line}]",
)
def item_classification_scheme(doc: UblDoc) -> Iterable[Element]:
    for el in _line_item_ids(facts(doc), "cac:CommodityClassification/cbc:ItemClassificationCode"):
        if el.get("listID") is None:
            yield el


@rule(
    "BR-54",
    N_("An item attribute (BG-32) needs both a name (BT-160) and a value (BT-161)."),
    field="lines[{line}]",
)
def item_attribute(doc: UblDoc) -> Iterable[Element]:
    for attribute in doc.anywhere("cac:AdditionalItemProperty"):
        if child(attribute, "cbc:Name") is None or child(attribute, "cbc:Value") is None:
            yield attribute


# --- periods ---------------------------------------------------------------------------------


def _date(el: Element) -> date | None:
    match = _DATE.fullmatch(sval(el))
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _end_before_start(period: Element) -> Element | None:
    """The end date when both dates are given and the end is before the start."""
    start, end = child(period, "cbc:StartDate"), child(period, "cbc:EndDate")
    if start is None or end is None:
        return None
    start_date, end_date = _date(start), _date(end)
    if start_date is not None and end_date is not None and end_date < start_date:
        return end
    return None


def document_periods(f: Facts) -> list[Element]:
    """The ``cac:InvoicePeriod`` elements that are not a line's period."""
    of_lines = {id(period) for line in f.lines for period in line.periods}
    return [p for p in f.doc.anywhere("cac:InvoicePeriod") if id(p) not in of_lines]


@rule(
    "BR-29",
    N_("The invoicing period end date (BT-74) must not be before its start date (BT-73)."),
    field="period_end",
)
def period_order(doc: UblDoc) -> Iterable[Element]:
    for period in document_periods(facts(doc)):
        end = _end_before_start(period)
        if end is not None:
            yield end


@rule(
    "BR-30",
    N_("The line period end date (BT-135) must not be before its start date (BT-134)."),
    field="lines[{line}].period_end",
)
def line_period_order(doc: UblDoc) -> Iterable[Element]:
    for line in facts(doc).lines:
        for period in line.periods:
            end = _end_before_start(period)
            if end is not None:
                yield end


# --- allowances and charges ------------------------------------------------------------------


def _kind(acs: list[AllowanceCharge], charge: bool) -> Iterable[AllowanceCharge]:
    return (ac for ac in acs if ac.kind(charge))


def _without_amount(acs: list[AllowanceCharge], charge: bool) -> Iterable[Element]:
    return (ac.el for ac in _kind(acs, charge) if not ac.amounts)


def without_reason(acs: list[AllowanceCharge], charge: bool) -> Iterable[Element]:
    """Allowances or charges with neither a reason nor a reason code."""
    return (ac.el for ac in _kind(acs, charge) if not ac.reasons and not ac.reason_codes)


def _without_vat_category(acs: list[AllowanceCharge], charge: bool) -> Iterable[Element]:
    return (
        ac.el
        for ac in _kind(acs, charge)
        if not any(c.vat and c.id is not None for c in ac.categories)
    )


@rule("BR-31", N_("A document level allowance has no amount (BT-92)."))
def allowance_amount(doc: UblDoc) -> Iterable[Element]:
    return _without_amount(facts(doc).document_acs, False)


@rule("BR-32", N_("A document level allowance has no VAT category code (BT-95)."))
def allowance_vat_category(doc: UblDoc) -> Iterable[Element]:
    return _without_vat_category(facts(doc).document_acs, False)


@rule(
    "BR-33",
    N_("A document level allowance has neither a reason (BT-97) nor a reason code (BT-98)."),
)
def allowance_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).document_acs, False)


@rule("BR-36", N_("A document level charge has no amount (BT-99)."))
def charge_amount(doc: UblDoc) -> Iterable[Element]:
    return _without_amount(facts(doc).document_acs, True)


@rule("BR-37", N_("A document level charge has no VAT category code (BT-102)."))
def charge_vat_category(doc: UblDoc) -> Iterable[Element]:
    return _without_vat_category(facts(doc).document_acs, True)


@rule(
    "BR-38",
    N_("A document level charge has neither a reason (BT-104) nor a reason code (BT-105)."),
)
def charge_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).document_acs, True)


@rule(
    "BR-41",
    N_("An invoice line allowance has no amount (BT-136)."),
    field="lines[{line}].allowances_charges",
)
def line_allowance_amount(doc: UblDoc) -> Iterable[Element]:
    return _without_amount(facts(doc).line_acs, False)


@rule(
    "BR-42",
    N_("An invoice line allowance has neither a reason (BT-139) nor a reason code (BT-140)."),
    field="lines[{line}].allowances_charges",
)
def line_allowance_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).line_acs, False)


@rule(
    "BR-43",
    N_("An invoice line charge has no amount (BT-141)."),
    field="lines[{line}].allowances_charges",
)
def line_charge_amount(doc: UblDoc) -> Iterable[Element]:
    return _without_amount(facts(doc).line_acs, True)


@rule(
    "BR-44",
    N_("An invoice line charge has neither a reason (BT-144) nor a reason code (BT-145)."),
    field="lines[{line}].allowances_charges",
)
def line_charge_reason(doc: UblDoc) -> Iterable[Element]:
    return without_reason(facts(doc).line_acs, True)


# --- VAT breakdown ---------------------------------------------------------------------------


@rule("BR-45", N_("A VAT breakdown has no VAT category taxable amount (BT-116)."))
def breakdown_taxable(doc: UblDoc) -> Iterable[Element]:
    return (s.el for s in facts(doc).subtotals if not s.taxable)


@rule("BR-46", N_("A VAT breakdown has no VAT category tax amount (BT-117)."))
def breakdown_tax(doc: UblDoc) -> Iterable[Element]:
    return (s.el for s in facts(doc).subtotals if not s.tax)


@rule("BR-47", N_("A VAT breakdown has no VAT category code (BT-118)."))
def breakdown_category(doc: UblDoc) -> Iterable[Element]:
    for subtotal in facts(doc).subtotals:
        if not any(c.vat and c.id is not None for c in subtotal.categories):
            yield subtotal.el


@rule(
    "BR-48",
    N_("A VAT breakdown has no VAT category rate (BT-119); only 'not subject to VAT' may omit it."),
)
def breakdown_rate(doc: UblDoc) -> Iterable[Element]:
    for subtotal in facts(doc).subtotals:
        categories = subtotal.vat_categories
        if any(c.percents for c in categories) or any(c.code == "O" for c in categories):
            continue
        yield subtotal.el


# --- payment ---------------------------------------------------------------------------------


@rule(
    "BR-49",
    N_("A payment instruction has no payment means type code (BT-81)."),
    field="payment_means.code",
)
def payment_means_code(doc: UblDoc) -> Iterable[Element]:
    for means in doc.all(MEANS):
        if not below(doc, MEANS, means, "cbc:PaymentMeansCode"):
            yield means


@rule(
    "BR-50",
    N_("A credit transfer has no payment account identifier (BT-84)."),
    field="payment_means.iban",
)
def credit_transfer_account(doc: UblDoc) -> Iterable[Element]:
    for means in doc.all(MEANS):
        codes = {sval(c) for c in below(doc, MEANS, means, "cbc:PaymentMeansCode")}
        if "30" in codes or "58" in codes:
            for account in below(doc, MEANS, means, "cac:PayeeFinancialAccount"):
                if not nz(child(account, "cbc:ID")):
                    yield account


@rule(
    "BR-51",
    N_(
        "The payment card number (BT-87) should not be given in full: at most the first 6 "
        "and last 4 digits."
    ),
    severity=Severity.WARNING,
)
def card_number(doc: UblDoc) -> Iterable[Element]:
    for number in doc.all("/cac:PaymentMeans/cac:CardAccount/cbc:PrimaryAccountNumberID"):
        if len(norm(sval(number))) > 10:
            yield number


@rule(
    "BR-61",
    N_(
        "A credit transfer payment (means code 30 or 58) needs the payment account "
        "identifier (BT-84)."
    ),
    field="payment_means.iban",
)
def credit_transfer_needs_account(doc: UblDoc) -> Iterable[Element]:
    for means in doc.all(MEANS):
        code = first_nz(below(doc, MEANS, means, "cbc:PaymentMeansCode"))
        if code in ("30", "58") and not below(
            doc, MEANS, means, "cac:PayeeFinancialAccount/cbc:ID"
        ):
            yield means


# --- references ------------------------------------------------------------------------------


@rule(
    "BR-52",
    N_("An additional supporting document (BG-24) has no reference (BT-122)."),
    field="attachments",
)
def attachment_id(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:AdditionalDocumentReference"):
        if not nz(child(reference, "cbc:ID")):
            yield reference


@rule(
    "BR-55",
    N_("A preceding invoice reference (BG-3) has no invoice number (BT-25)."),
    field="preceding_invoices",
)
def preceding_invoice(doc: UblDoc) -> Iterable[Element]:
    context = "/cac:BillingReference"
    for reference in doc.all(context):
        if not below(doc, context, reference, "cac:InvoiceDocumentReference/cbc:ID"):
            yield reference
