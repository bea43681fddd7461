"""Dutch national rules of Peppol BIS Billing 3.0 (NL-R-*): they apply when the seller's postal
address is in the Netherlands; some also need the buyer (or the tax representative) there."""

from __future__ import annotations

from collections.abc import Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child, has
from ..findings import RuleSet
from ..registry import rule
from .peppol_helpers import (
    CUSTOMER,
    SUPPLIER,
    TAX_REPRESENTATIVE,
    is_root_credit_note,
    is_root_invoice,
    nvalue,
    postal_country,
    string_value,
    xs_decimal,
)

PEPPOL = RuleSet.PEPPOL
ADDRESS_PARTS = ("cbc:StreetName", "cbc:CityName", "cbc:PostalZone")
DUTCH_LEGAL_SCHEMES = (" 0106 ", " 0190 ")
DUTCH_PAYMENT_MEANS = frozenset({"30", "48", "49", "57", "58", "59"})


def seller_dutch(doc: UblDoc) -> bool:
    return postal_country(doc, SUPPLIER) == "NL"


def buyer_dutch(doc: UblDoc) -> bool:
    return postal_country(doc, CUSTOMER) == "NL"


def _incomplete(address: Element) -> bool:
    return not all(has(address, part) for part in ADDRESS_PARTS)


def _not_kvk_or_oin(company_id: Element) -> bool:
    scheme = f" {company_id.get('schemeID') or ''} "
    return not any(code in scheme for code in DUTCH_LEGAL_SCHEMES) or not nvalue(company_id)


@rule(
    "NL-R-001",
    N_("A Dutch seller's credit note must refer to the invoice it corrects (BT-25)."),
    rule_set=PEPPOL,
    field="preceding_invoices",
)
def credit_note_refers_to_invoice(doc: UblDoc) -> Iterator[Element]:
    if not seller_dutch(doc):
        return
    if doc.exists("/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"):
        return
    yield from doc.anywhere("cbc:CreditNoteTypeCode")


@rule(
    "NL-R-002",
    N_("A Dutch seller's address must have street (BT-35), city (BT-37) and post code (BT-38)."),
    rule_set=PEPPOL,
    field="seller.address",
)
def seller_address(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc):
        yield from (a for a in doc.all(f"{SUPPLIER}/cac:PostalAddress") if _incomplete(a))


@rule(
    "NL-R-003",
    N_(
        "A Dutch seller's legal registration identifier (BT-30) must be a KVK or OIN number "
        "(scheme 0106 or 0190)."
    ),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def seller_legal_id(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc):
        path = f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID"
        yield from (el for el in doc.all(path) if _not_kvk_or_oin(el))


@rule(
    "NL-R-004",
    N_(
        "When seller and buyer are in the Netherlands, the buyer's address must have street "
        "(BT-50), city (BT-52) and post code (BT-53)."
    ),
    rule_set=PEPPOL,
    field="buyer.address",
)
def buyer_address(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc) and buyer_dutch(doc):
        yield from (a for a in doc.all(f"{CUSTOMER}/cac:PostalAddress") if _incomplete(a))


@rule(
    "NL-R-005",
    N_(
        "When seller and buyer are in the Netherlands, the buyer's legal registration identifier "
        "(BT-47) must be a KVK or OIN number (scheme 0106 or 0190)."
    ),
    rule_set=PEPPOL,
    field="buyer.legal_id",
)
def buyer_legal_id(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc) and buyer_dutch(doc):
        path = f"{CUSTOMER}/cac:PartyLegalEntity/cbc:CompanyID"
        yield from (el for el in doc.all(path) if _not_kvk_or_oin(el))


@rule(
    "NL-R-006",
    N_(
        "When seller and tax representative are in the Netherlands, the representative's address "
        "must have street, city and post code (BG-12)."
    ),
    rule_set=PEPPOL,
)
def tax_representative_address(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc) and postal_country(doc, TAX_REPRESENTATIVE) == "NL":
        path = f"{TAX_REPRESENTATIVE}/cac:PostalAddress"
        yield from (a for a in doc.all(path) if _incomplete(a))


@rule(
    "NL-R-007",
    N_("A Dutch seller must give the payment means (BG-16) when the buyer has to pay."),
    rule_set=PEPPOL,
    field="payment_means",
)
def payment_means_given(doc: UblDoc) -> Iterator[Element]:
    if not seller_dutch(doc) or doc.anywhere("cac:PaymentMeans"):
        return
    for total in doc.all("/cac:LegalMonetaryTotal"):
        payable = xs_decimal(string_value(child(total, "cbc:PayableAmount")))
        if payable is None:
            payable_el = child(total, "cbc:PayableAmount")
            if payable_el is not None:
                continue  # not a number: the official rule cannot evaluate it either
        nothing_due = payable is not None and (
            (is_root_invoice(doc) and payable <= 0) or (is_root_credit_note(doc) and payable >= 0)
        )
        if not nothing_due:
            yield total


@rule(
    "NL-R-008",
    N_(
        "When seller and buyer are in the Netherlands, the payment means code (BT-81) must be "
        "30, 48, 49, 57, 58 or 59."
    ),
    rule_set=PEPPOL,
    field="payment_means.code",
)
def dutch_payment_means(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc) and buyer_dutch(doc):
        for means in doc.anywhere("cac:PaymentMeans"):
            if nvalue(child(means, "cbc:PaymentMeansCode")) not in DUTCH_PAYMENT_MEANS:
                yield means


@rule(
    "NL-R-009",
    N_(
        "A Dutch seller who refers to an order line (BT-132) must give the order reference (BT-13)."
    ),
    rule_set=PEPPOL,
    field="order_reference",
)
def order_reference_for_order_lines(doc: UblDoc) -> Iterator[Element]:
    if seller_dutch(doc) and not doc.exists("/cac:OrderReference/cbc:ID"):
        yield from doc.anywhere("cac:OrderLineReference/cbc:LineID")
