"""German national rules of Peppol BIS Billing 3.0 (DE-R-*): they apply only when seller and
buyer both have a postal address in Germany (the XRechnung requirements for domestic
invoices sent over Peppol)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children, has
from ..findings import RuleSet, Severity
from ..registry import rule
from .peppol_helpers import (
    CUSTOMER,
    SUPPLIER,
    both_in,
    iban_ok,
    matches,
    normalize_space,
    nvalue,
    string_value,
)

PEPPOL = RuleSet.PEPPOL
WARNING = Severity.WARNING

VAT_CODES_NEEDING_SELLER_TAX_ID = frozenset({"S", "Z", "E", "AE", "K", "G", "L", "M"})
GERMAN_TYPE_CODES = frozenset({"326", "380", "384", "389", "381", "875", "876", "877"})
SKONTO_LINE = re.compile(
    r"(^|\r?\n)#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})"
    r"(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#\Z"
)
SKONTO_SEGMENT = re.compile(r"#[^\n\r]+#")
ENDS_WITH_LINE_BREAK = re.compile(r"^[ \t\r\n]*\n")
URL = re.compile(r"^([a-zA-Z])([a-zA-Z0-9+.-])+:")
EMAIL = re.compile(r"^[^@ \t\r\n]+@([^@. \t\r\n]+\.)+[^@. \t\r\n]+\Z")


def german(doc: UblDoc) -> bool:
    return both_in(doc, "DE")


def _blank(el: Element | None, name: str) -> bool:
    """No child ``name`` with text (``not(name[boolean(normalize-space(.))])``)."""
    return not any(nvalue(c) for c in children(el, name))


# --- document level -----------------------------------------------------------------------


@rule(
    "DE-R-001",
    N_("Between German seller and buyer the payment instructions (BG-16) are required."),
    rule_set=PEPPOL,
    field="payment_means",
)
def payment_instructions(doc: UblDoc) -> Iterator[Element]:
    if german(doc) and not doc.exists("/cac:PaymentMeans"):
        yield doc.root


@rule(
    "DE-R-015",
    N_("Between German seller and buyer the buyer reference (BT-10) is required."),
    rule_set=PEPPOL,
    field="buyer_reference",
)
def buyer_reference(doc: UblDoc) -> Iterator[Element]:
    if german(doc) and not any(nvalue(el) for el in doc.all("/cbc:BuyerReference")):
        yield doc.root


def _vat_category_codes(doc: UblDoc) -> list[str]:
    codes = []
    for ac in doc.all("/cac:AllowanceCharge"):
        indicators = [string_value(c) for c in children(ac, "cbc:ChargeIndicator")]
        if "false" in indicators or "true" in indicators:
            codes += [string_value(el) for el in children(ac, "cac:TaxCategory/cbc:ID")]
    line = doc.line_name
    codes += [
        string_value(el) for el in doc.all(f"/{line}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
    ]
    return codes


@rule(
    "DE-R-016",
    N_(
        "Between German seller and buyer, with VAT category S, Z, E, AE, K, G, L or M, the "
        "seller's VAT identifier (BT-31), tax registration (BT-32) or tax representative (BG-11) "
        "is required."
    ),
    rule_set=PEPPOL,
    field="seller.vat_number",
)
def seller_tax_identifier(doc: UblDoc) -> Iterator[Element]:
    if not german(doc):
        return
    if not VAT_CODES_NEEDING_SELLER_TAX_ID.intersection(_vat_category_codes(doc)):
        return
    if doc.exists("/cac:TaxRepresentativeParty"):
        return
    if any(nvalue(el) for el in doc.all(f"{SUPPLIER}/cac:PartyTaxScheme/cbc:CompanyID")):
        return
    yield doc.root


@rule(
    "DE-R-017",
    N_(
        "Between German seller and buyer the invoice type code (BT-3) should be 326, 380, 384, "
        "389, 381, 875, 876 or 877."
    ),
    rule_set=PEPPOL,
    severity=WARNING,
)
def german_type_code(doc: UblDoc) -> Iterator[Element]:
    if not german(doc):
        return
    invoice = nvalue(doc.first("/cbc:InvoiceTypeCode"))
    credit = nvalue(doc.first("/cbc:CreditNoteTypeCode"))
    if invoice not in GERMAN_TYPE_CODES and credit not in GERMAN_TYPE_CODES:
        yield doc.root


@rule(
    "DE-R-018",
    N_(
        "Between German seller and buyer, cash discount terms in the payment terms (BT-20) must "
        "be written as '#SKONTO#TAGE=n#PROZENT=n.nn#' (optionally '#BASISBETRAG=n.nn#'), each "
        "ending with a line break."
    ),
    rule_set=PEPPOL,
    field="payment_terms",
)
def skonto_format(doc: UblDoc) -> Iterator[Element]:
    if not german(doc):
        return
    notes = [n for terms in doc.all("/cac:PaymentTerms") for n in children(terms, "cbc:Note")[:1]]
    texts = [string_value(n) for n in notes]
    lines = [
        line
        for text in texts
        for line in re.split(r"\r?\n", text)
        if normalize_space(line).startswith("#")
    ]
    if not lines:
        return
    tails_ok = all(matches(ENDS_WITH_LINE_BREAK, SKONTO_SEGMENT.split(t)[-1]) for t in texts)
    if not tails_ok or not all(matches(SKONTO_LINE, normalize_space(line)) for line in lines):
        yield doc.root


@rule(
    "DE-R-022",
    N_("Between German seller and buyer, attachments (BT-125) must have unique file names."),
    rule_set=PEPPOL,
    field="attachments",
)
def unique_attachment_names(doc: UblDoc) -> Iterator[Element]:
    if not german(doc):
        return
    seen: set[str] = set()
    duplicate = False
    for reference in doc.all("/cac:AdditionalDocumentReference"):
        names = {
            name
            for el in children(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
            if (name := el.get("filename")) is not None
        }
        if names & seen:
            duplicate = True
        seen |= names
    if duplicate:
        yield doc.root


@rule(
    "DE-R-026",
    N_(
        "Between German seller and buyer a corrected invoice (type 384) should refer to the "
        "preceding invoice (BG-3)."
    ),
    rule_set=PEPPOL,
    severity=WARNING,
    field="preceding_invoices",
)
def corrected_invoice_reference(doc: UblDoc) -> Iterator[Element]:
    if not german(doc):
        return
    corrected = "384" in (
        nvalue(doc.first("/cbc:InvoiceTypeCode")),
        nvalue(doc.first("/cbc:CreditNoteTypeCode")),
    )
    if corrected and not doc.exists("/cac:BillingReference/cac:InvoiceDocumentReference"):
        yield doc.root


def _has_mandate(doc: UblDoc) -> bool:
    return doc.exists("/cac:PaymentMeans/cac:PaymentMandate")


@rule(
    "DE-R-030",
    N_(
        "Between German seller and buyer a direct debit (BG-19) needs the bank assigned creditor "
        "identifier (BT-90)."
    ),
    rule_set=PEPPOL,
    field="payment_means",
)
def creditor_identifier(doc: UblDoc) -> Iterator[Element]:
    if not german(doc) or not _has_mandate(doc):
        return
    identifiers = doc.all(f"{SUPPLIER}/cac:PartyIdentification/cbc:ID") + doc.all(
        "/cac:PayeeParty/cac:PartyIdentification/cbc:ID"
    )
    if not any(el.get("schemeID") == "SEPA" for el in identifiers):
        yield doc.root


@rule(
    "DE-R-031",
    N_("Between German seller and buyer a direct debit (BG-19) needs the debited account (BT-91)."),
    rule_set=PEPPOL,
    field="payment_means",
)
def debited_account(doc: UblDoc) -> Iterator[Element]:
    if german(doc) and _has_mandate(doc):
        path = "/cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"
        if not doc.exists(path):
            yield doc.root


@rule(
    "DE-R-T02",
    N_(
        "Between German seller and buyer the external document location (BT-124) should be an "
        "absolute URL."
    ),
    rule_set=PEPPOL,
    severity=WARNING,
    field="attachments",
)
def external_reference_url(doc: UblDoc) -> Iterator[Element]:
    if german(doc):
        for ref in doc.all("/cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference"):
            if not matches(URL, string_value(child(ref, "cbc:URI"))):
                yield ref


# --- parties ------------------------------------------------------------------------------


@rule(
    "DE-R-002",
    N_("Between German seller and buyer the seller contact (BG-6) is required."),
    rule_set=PEPPOL,
    field="seller.contact",
)
def seller_contact(doc: UblDoc) -> Iterator[Element]:
    if german(doc):
        for party in doc.all("/cac:AccountingSupplierParty"):
            if not has(party, "cac:Party/cac:Contact"):
                yield party


def _address_rule(rule_id: str, path: str, part: str, message: str, field: str) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        if german(doc):
            yield from (a for a in doc.all(path) if _blank(a, part))

    check.__name__ = "address_" + rule_id.replace("-", "_").lower()
    rule(rule_id, message, rule_set=PEPPOL, field=field)(check)


_address_rule(
    "DE-R-003",
    f"{SUPPLIER}/cac:PostalAddress",
    "cbc:CityName",
    N_("Between German seller and buyer the seller's city (BT-37) is required."),
    "seller.address.city",
)
_address_rule(
    "DE-R-004",
    f"{SUPPLIER}/cac:PostalAddress",
    "cbc:PostalZone",
    N_("Between German seller and buyer the seller's post code (BT-38) is required."),
    "seller.address.postal_code",
)
_address_rule(
    "DE-R-008",
    f"{CUSTOMER}/cac:PostalAddress",
    "cbc:CityName",
    N_("Between German seller and buyer the buyer's city (BT-52) is required."),
    "buyer.address.city",
)
_address_rule(
    "DE-R-009",
    f"{CUSTOMER}/cac:PostalAddress",
    "cbc:PostalZone",
    N_("Between German seller and buyer the buyer's post code (BT-53) is required."),
    "buyer.address.postal_code",
)
_address_rule(
    "DE-R-010",
    "/cac:Delivery/cac:DeliveryLocation/cac:Address",
    "cbc:CityName",
    N_("Between German seller and buyer a delivery address needs the city (BT-77)."),
    "delivery.address",
)
_address_rule(
    "DE-R-011",
    "/cac:Delivery/cac:DeliveryLocation/cac:Address",
    "cbc:PostalZone",
    N_("Between German seller and buyer a delivery address needs the post code (BT-78)."),
    "delivery.address",
)
_address_rule(
    "DE-R-005",
    f"{SUPPLIER}/cac:Contact",
    "cbc:Name",
    N_("Between German seller and buyer the seller's contact point (BT-41) is required."),
    "seller.contact.name",
)
_address_rule(
    "DE-R-006",
    f"{SUPPLIER}/cac:Contact",
    "cbc:Telephone",
    N_(
        "Between German seller and buyer the seller's contact telephone number (BT-42) is required."
    ),
    "seller.contact.phone",
)
_address_rule(
    "DE-R-007",
    f"{SUPPLIER}/cac:Contact",
    "cbc:ElectronicMail",
    N_("Between German seller and buyer the seller's contact e-mail address (BT-43) is required."),
    "seller.contact.email",
)


@rule(
    "DE-R-027",
    N_("The seller's contact telephone number (BT-42) should contain at least three digits."),
    rule_set=PEPPOL,
    severity=WARNING,
    field="seller.contact.phone",
)
def telephone_digits(doc: UblDoc) -> Iterator[Element]:
    if german(doc):
        for contact in doc.all(f"{SUPPLIER}/cac:Contact"):
            phone = nvalue(child(contact, "cbc:Telephone"))
            if sum(c in "0123456789" for c in phone) < 3:
                yield contact


@rule(
    "DE-R-028",
    N_("The seller's contact e-mail address (BT-43) does not look like an e-mail address."),
    rule_set=PEPPOL,
    severity=WARNING,
    field="seller.contact.email",
)
def email_format(doc: UblDoc) -> Iterator[Element]:
    if german(doc):
        for contact in doc.all(f"{SUPPLIER}/cac:Contact"):
            if not matches(EMAIL, nvalue(child(contact, "cbc:ElectronicMail"))):
                yield contact


# --- payment means and VAT breakdown ------------------------------------------------------


def _means(doc: UblDoc, codes: tuple[str, ...]) -> list[Element]:
    if not german(doc):
        return []
    return [
        means
        for means in doc.all("/cac:PaymentMeans")
        if nvalue(child(means, "cbc:PaymentMeansCode")) in codes
    ]


def _means_rule(
    rule_id: str,
    codes: tuple[str, ...],
    message: str,
    broken: Callable[[Element], bool],
    field: str,
    severity: Severity = Severity.FATAL,
) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        yield from (m for m in _means(doc, codes) if broken(m))

    check.__name__ = "means_" + rule_id.replace("-", "_").lower()
    rule(rule_id, message, rule_set=PEPPOL, severity=severity, field=field)(check)


CREDIT_TRANSFER, CARD, DIRECT_DEBIT = ("30", "58"), ("48", "54", "55"), ("59",)

_means_rule(
    "DE-R-019",
    CREDIT_TRANSFER,
    N_("With SEPA credit transfer (code 58) the payment account (BT-84) should be a valid IBAN."),
    lambda m: (
        nvalue(child(m, "cbc:PaymentMeansCode")) == "58"
        and not iban_ok(string_value(child(m, "cac:PayeeFinancialAccount/cbc:ID")))
    ),
    "payment_means.iban",
    WARNING,
)
_means_rule(
    "DE-R-023-1",
    CREDIT_TRANSFER,
    N_(
        "Between German seller and buyer a credit transfer (code 30 or 58) needs the credit "
        "transfer details (BG-17)."
    ),
    lambda m: not has(m, "cac:PayeeFinancialAccount"),
    "payment_means.iban",
)
_means_rule(
    "DE-R-023-2",
    CREDIT_TRANSFER,
    N_(
        "Between German seller and buyer a credit transfer (code 30 or 58) may not carry card "
        "(BG-18) or direct debit (BG-19) details."
    ),
    lambda m: has(m, "cac:CardAccount") or has(m, "cac:PaymentMandate"),
    "payment_means",
)
_means_rule(
    "DE-R-024-1",
    CARD,
    N_(
        "Between German seller and buyer a card payment (code 48, 54 or 55) needs the card "
        "details (BG-18)."
    ),
    lambda m: not has(m, "cac:CardAccount"),
    "payment_means",
)
_means_rule(
    "DE-R-024-2",
    CARD,
    N_(
        "Between German seller and buyer a card payment (code 48, 54 or 55) may not carry credit "
        "transfer (BG-17) or direct debit (BG-19) details."
    ),
    lambda m: has(m, "cac:PayeeFinancialAccount") or has(m, "cac:PaymentMandate"),
    "payment_means",
)
_means_rule(
    "DE-R-020",
    DIRECT_DEBIT,
    N_("With SEPA direct debit (code 59) the debited account (BT-91) should be a valid IBAN."),
    lambda m: (
        not iban_ok(string_value(child(m, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")))
    ),
    "payment_means",
    WARNING,
)
_means_rule(
    "DE-R-025-1",
    DIRECT_DEBIT,
    N_(
        "Between German seller and buyer a direct debit (code 59) needs the direct debit "
        "details (BG-19)."
    ),
    lambda m: not has(m, "cac:PaymentMandate"),
    "payment_means",
)
_means_rule(
    "DE-R-025-2",
    DIRECT_DEBIT,
    N_(
        "Between German seller and buyer a direct debit (code 59) may not carry credit transfer "
        "(BG-17) or card (BG-18) details."
    ),
    lambda m: has(m, "cac:PayeeFinancialAccount") or has(m, "cac:CardAccount"),
    "payment_means",
)


@rule(
    "DE-R-014",
    N_("Between German seller and buyer every VAT breakdown needs the VAT rate (BT-119)."),
    rule_set=PEPPOL,
)
def breakdown_rate(doc: UblDoc) -> Iterator[Element]:
    if german(doc):
        for subtotal in doc.all("/cac:TaxTotal/cac:TaxSubtotal"):
            if _blank(child(subtotal, "cac:TaxCategory"), "cbc:Percent"):
                yield subtotal
