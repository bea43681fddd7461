"""Danish (DK-R-*), Norwegian (NO-R-*) and Icelandic (IS-R-*) national rules of Peppol BIS
Billing 3.0.

The Danish and Icelandic rules go by the seller's (and buyer's) postal country code exactly as
written; the Norwegian ones by Peppol's seller country (VAT number prefix first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children, has
from ..findings import RuleSet, Severity
from ..registry import rule
from .peppol_helpers import (
    CUSTOMER,
    SUPPLIER,
    is_root_credit_note,
    is_root_invoice,
    mod11_ok,
    normalize_space,
    nvalue,
    postal_country_raw,
    string_value,
    supplier_country,
    vat_schemes_normalized,
    xpath_number,
    xs_date,
)

PEPPOL = RuleSet.PEPPOL
WARNING = Severity.WARNING

# --- Denmark ------------------------------------------------------------------------------

DANISH_PAYMENT_MEANS = " 1 10 31 42 48 49 50 58 59 93 97 "
UNSPSC_VERSIONS = frozenset({"19.05.01", "19.0501", "26.08.01", "26.0801"})
GIRO_ACCOUNT = re.compile(r"^[0-9]{7,8}\Z")


def _seller_danish(doc: UblDoc) -> bool:
    return postal_country_raw(doc, SUPPLIER) == "DK"


def _both_danish(doc: UblDoc) -> bool:
    return _seller_danish(doc) and postal_country_raw(doc, CUSTOMER) == "DK"


def _text_value(el: Element | None) -> str:
    """``normalize-space(el/text())``."""
    return normalize_space(el.text) if el is not None else ""


@rule(
    "DK-R-002",
    N_("A Danish seller must give its legal registration identifier, the CVR number (BT-30)."),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def danish_seller_cvr(doc: UblDoc) -> Iterator[Element]:
    company_id = doc.first(f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID")
    if _seller_danish(doc) and not _text_value(company_id):
        yield doc.root


@rule(
    "DK-R-014",
    N_("A Danish seller's legal registration identifier (BT-30) must have scheme 0184 (CVR)."),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def danish_seller_cvr_scheme(doc: UblDoc) -> Iterator[Element]:
    if _seller_danish(doc):
        company_id = doc.first(f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID")
        if company_id is not None and normalize_space(company_id.get("schemeID")) != "0184":
            yield doc.root


@rule(
    "DK-R-016",
    N_(
        "A Danish seller's credit note to a Danish buyer cannot have a negative amount due "
        "(BT-115)."
    ),
    rule_set=PEPPOL,
)
def danish_credit_note_total(doc: UblDoc) -> Iterator[Element]:
    if _both_danish(doc) and is_root_credit_note(doc):
        payable = doc.first("/cac:LegalMonetaryTotal/cbc:PayableAmount")
        if payable is not None and xpath_number(payable.text) < 0:
            yield doc.root


@rule(
    "DK-R-013",
    N_("Between Danish seller and buyer a party identifier (BT-29, BT-46) must state its scheme."),
    rule_set=PEPPOL,
)
def danish_party_identifier_scheme(doc: UblDoc) -> Iterator[Element]:
    if not _both_danish(doc):
        return
    for party in (SUPPLIER, CUSTOMER):
        for identification in doc.all(f"{party}/cac:PartyIdentification"):
            ids = children(identification, "cbc:ID")
            if ids and normalize_space(ids[0].get("schemeID")) == "":
                yield identification


def _danish_payment_means(doc: UblDoc) -> list[Element]:
    if not (_both_danish(doc) and is_root_invoice(doc)):
        return []
    return doc.all("/cac:PaymentMeans")


def _code_is(means: Element, *codes: str) -> bool:
    return any(string_value(c) in codes for c in children(means, "cbc:PaymentMeansCode"))


def _reference_prefix(means: Element) -> str:
    return string_value(child(means, "cbc:PaymentID"))[:3]


@rule(
    "DK-R-005",
    N_(
        "Between Danish seller and buyer the payment means code (BT-81) must be 1, 10, 31, 42, 48, "
        "49, 50, 58, 59, 93 or 97."
    ),
    rule_set=PEPPOL,
    field="payment_means.code",
)
def danish_payment_means_code(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        code = string_value(child(means, "cbc:PaymentMeansCode"))
        if f" {code} " not in DANISH_PAYMENT_MEANS:
            yield means


@rule(
    "DK-R-006",
    N_(
        "Between Danish seller and buyer, payment means 31 or 42 need the bank account (BT-84) "
        "and the bank registration number (BT-86)."
    ),
    rule_set=PEPPOL,
    field="payment_means.iban",
)
def danish_bank_account(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        if _code_is(means, "31", "42") and not (
            _text_value(child(means, "cac:PayeeFinancialAccount/cbc:ID"))
            and _text_value(
                child(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
            )
        ):
            yield means


@rule(
    "DK-R-007",
    N_(
        "Between Danish seller and buyer, payment means 49 needs the mandate reference (BT-89) and "
        "the debited account (BT-91)."
    ),
    rule_set=PEPPOL,
    field="payment_means",
)
def danish_direct_debit(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        if _code_is(means, "49") and not (
            _text_value(child(means, "cac:PaymentMandate/cbc:ID"))
            and _text_value(child(means, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"))
        ):
            yield means


@rule(
    "DK-R-008",
    N_(
        "Between Danish seller and buyer, giro payment (50) needs a payment ID (BT-83) starting "
        "with 01#, 04# or 15# and a giro account (BT-84) of 7 or 8 digits."
    ),
    rule_set=PEPPOL,
    field="payment_means.payment_reference",
)
def danish_giro(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        if not _code_is(means, "50"):
            continue
        account = string_value(child(means, "cac:PayeeFinancialAccount/cbc:ID"))
        if _reference_prefix(means) not in ("01#", "04#", "15#") or not GIRO_ACCOUNT.search(
            account
        ):
            yield means


@rule(
    "DK-R-009",
    N_(
        "Between Danish seller and buyer, a giro payment ID (BT-83) starting with 04# or 15# "
        "must be followed by the 16-digit instruction ID."
    ),
    rule_set=PEPPOL,
    field="payment_means.payment_reference",
)
def danish_giro_instruction(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        instruction = _code_is(means, "50") and _reference_prefix(means) in ("04#", "15#")
        if instruction and len(string_value(child(means, "cbc:PaymentID"))) != 19:
            yield means


@rule(
    "DK-R-010",
    N_(
        "Between Danish seller and buyer, payment means 93 (FIK) needs a payment ID (BT-83) "
        "starting with 71#, 73# or 75# and an account (BT-84) of exactly 8 characters."
    ),
    rule_set=PEPPOL,
    field="payment_means.payment_reference",
)
def danish_fik(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        if not _code_is(means, "93"):
            continue
        account = child(means, "cac:PayeeFinancialAccount/cbc:ID")
        account_text = (account.text or "") if account is not None else ""
        if _reference_prefix(means) not in ("71#", "73#", "75#") or len(account_text) != 8:
            yield means


@rule(
    "DK-R-011",
    N_(
        "Between Danish seller and buyer, a FIK payment ID (BT-83) starting with 71# or 75# must "
        "be followed by the 15 or 16 digit instruction ID."
    ),
    rule_set=PEPPOL,
    field="payment_means.payment_reference",
)
def danish_fik_instruction(doc: UblDoc) -> Iterator[Element]:
    for means in _danish_payment_means(doc):
        instruction = _code_is(means, "93") and _reference_prefix(means) in ("71#", "75#")
        if instruction and len(string_value(child(means, "cbc:PaymentID"))) not in (18, 19):
            yield means


@rule(
    "DK-R-017",
    N_(
        "Between Danish seller and buyer the buyer's legal registration identifier (BT-47) must "
        "have scheme 0184 (CVR)."
    ),
    rule_set=PEPPOL,
    field="buyer.legal_id",
)
def danish_buyer_cvr_scheme(doc: UblDoc) -> Iterator[Element]:
    if _both_danish(doc):
        for party in doc.all(CUSTOMER):
            company_id = child(party, "cac:PartyLegalEntity/cbc:CompanyID")
            if company_id is not None and normalize_space(company_id.get("schemeID")) != "0184":
                yield party


@rule(
    "DK-R-003",
    N_(
        "Between Danish seller and buyer an item classification from UNSPSC (listID TST) must be "
        "version 19.05.01 or 26.08.01."
    ),
    rule_set=PEPPOL,
    field="lines[{line}]",
)
def danish_unspsc_version(doc: UblDoc) -> Iterator[Element]:
    if not _both_danish(doc):
        return
    for line in doc.lines:
        codes = children(line, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode")
        if any(c.get("listID") == "TST" for c in codes) and not any(
            c.get("listVersionID") in UNSPSC_VERSIONS for c in codes
        ):
            yield line


def _tax_reason_ok(ac: Element) -> bool:
    reason = child(ac, "cbc:AllowanceChargeReason")
    if reason is None:
        return False
    number = xpath_number(string_value(reason))
    if len(_text_value(reason)) == 4 and 0 <= number <= 9999:
        return True
    text = string_value(reason)
    return "#" in text and not text.startswith("#") and not text.endswith("#")


@rule(
    "DK-R-004",
    N_(
        "Between Danish seller and buyer a non-VAT tax (reason code ZZZ) must name the tax in the "
        "reason: the 4-digit tax category, or a text with # (not first or last)."
    ),
    rule_set=PEPPOL,
)
def danish_other_taxes(doc: UblDoc) -> Iterator[Element]:
    if not _both_danish(doc):
        return
    for ac in doc.anywhere("cac:AllowanceCharge"):
        codes = children(ac, "cbc:AllowanceChargeReasonCode")
        if any(string_value(c) == "ZZZ" for c in codes) and not _tax_reason_ok(ac):
            yield ac


# --- Norway -------------------------------------------------------------------------------

NORWEGIAN_VAT = re.compile(r"^[0-9]{9}MVA\Z")


def _norwegian_sellers(doc: UblDoc) -> list[Element]:
    return doc.all(SUPPLIER) if supplier_country(doc) == "NO" else []


@rule(
    "NO-R-001",
    N_(
        "A Norwegian seller's VAT number (BT-31) must be NO, a valid 9-digit organisation number "
        "and MVA."
    ),
    rule_set=PEPPOL,
    field="seller.vat_number",
)
def norwegian_vat_number(doc: UblDoc) -> Iterator[Element]:
    for party in _norwegian_sellers(doc):
        schemes = vat_schemes_normalized(party)
        if not schemes:
            continue
        vat = string_value(child(schemes[0], "cbc:CompanyID"))
        if vat[:2] != "NO":
            continue
        if not (NORWEGIAN_VAT.search(vat[2:]) and mod11_ok(vat[2:11])):
            yield party


@rule(
    "NO-R-002",
    N_("Most Norwegian sellers must state 'Foretaksregisteret' as their tax registration (BT-32)."),
    rule_set=PEPPOL,
    severity=WARNING,
    field="seller.tax_registration_id",
)
def norwegian_register(doc: UblDoc) -> Iterator[Element]:
    for party in _norwegian_sellers(doc):
        registrations = [
            child(pts, "cbc:CompanyID")
            for pts in children(party, "cac:PartyTaxScheme")
            if nvalue(child(pts, "cac:TaxScheme/cbc:ID")) == "TAX"
        ]
        first = registrations[0] if registrations else None
        if nvalue(first) != "Foretaksregisteret":
            yield party


# --- Iceland ------------------------------------------------------------------------------


def _seller_icelandic(doc: UblDoc) -> bool:
    return postal_country_raw(doc, SUPPLIER) == "IS"


def _eindagi(doc: UblDoc) -> list[Element]:
    return [
        ref
        for ref in doc.all("/cac:AdditionalDocumentReference")
        if any(string_value(d) == "EINDAGI" for d in children(ref, "cbc:DocumentDescription"))
    ]


@rule(
    "IS-R-001",
    N_("An Icelandic seller's invoice type code (BT-3) should be 380 or 381."),
    rule_set=PEPPOL,
    severity=WARNING,
)
def icelandic_type_code(doc: UblDoc) -> Iterator[Element]:
    if not _seller_icelandic(doc):
        return
    codes = [
        normalize_space(string_value(doc.first(path)))
        for path in ("/cbc:InvoiceTypeCode", "/cbc:CreditNoteTypeCode")
        if doc.exists(path)
    ]
    if not any(code in ("380", "381") for code in codes):
        yield doc.root


@rule(
    "IS-R-002",
    N_(
        "An Icelandic seller must give its Icelandic legal identifier, the kennitala (BT-30, "
        "scheme 0196)."
    ),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def icelandic_seller_id(doc: UblDoc) -> Iterator[Element]:
    if _seller_icelandic(doc):
        ids = doc.all(f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID")
        if not any(el.get("schemeID") == "0196" for el in ids):
            yield doc.root


@rule(
    "IS-R-003",
    N_("An Icelandic seller's address must have street name (BT-35) and post code (BT-38)."),
    rule_set=PEPPOL,
    field="seller.address",
)
def icelandic_seller_address(doc: UblDoc) -> Iterator[Element]:
    if _seller_icelandic(doc) and not (
        doc.exists(f"{SUPPLIER}/cac:PostalAddress/cbc:StreetName")
        and doc.exists(f"{SUPPLIER}/cac:PostalAddress/cbc:PostalZone")
    ):
        yield doc.root


def _icelandic_account_rule(rule_id: str, code: str, message: str) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        if not _seller_icelandic(doc):
            return
        means = [m for m in doc.all("/cac:PaymentMeans") if _code_is(m, code)]
        if not means:
            return
        accounts = [a for m in means for a in children(m, "cac:PayeeFinancialAccount/cbc:ID")]
        if not accounts or len(nvalue(accounts[0])) != 12:
            yield doc.root

    check.__name__ = f"icelandic_account_{code}"
    rule(rule_id, message, rule_set=PEPPOL, field="payment_means.iban")(check)


_icelandic_account_rule(
    "IS-R-006",
    "9",
    N_("An Icelandic seller using payment means 9 must give a 12-digit account (BT-84)."),
)
_icelandic_account_rule(
    "IS-R-007",
    "42",
    N_("An Icelandic seller using payment means 42 must give a 12-digit account (BT-84)."),
)


@rule(
    "IS-R-008",
    N_("An Icelandic seller's EINDAGI date (BT-122) must be written YYYY-MM-DD."),
    rule_set=PEPPOL,
    field="attachments",
)
def icelandic_eindagi_format(doc: UblDoc) -> Iterator[Element]:
    references = _eindagi(doc) if _seller_icelandic(doc) else []
    if references:
        value = string_value(child(references[0], "cbc:ID"))
        if len(value) != 10 or xs_date(value) is None:
            yield references[0]


@rule(
    "IS-R-009",
    N_("An Icelandic seller's invoice with an EINDAGI date must have a due date (BT-9)."),
    rule_set=PEPPOL,
    field="due_date",
)
def icelandic_eindagi_due_date(doc: UblDoc) -> Iterator[Element]:
    if _seller_icelandic(doc) and _eindagi(doc) and not doc.exists("/cbc:DueDate"):
        yield doc.root


@rule(
    "IS-R-010",
    N_("An Icelandic seller's EINDAGI date (BT-122) must be on or after the due date (BT-9)."),
    rule_set=PEPPOL,
    field="due_date",
)
def icelandic_eindagi_after_due_date(doc: UblDoc) -> Iterator[Element]:
    references = _eindagi(doc) if _seller_icelandic(doc) else []
    if not references:
        return
    due_dates = [string_value(el) for el in doc.all("/cbc:DueDate")]
    eindagi = [string_value(el) for ref in references for el in children(ref, "cbc:ID")]
    if not any(due <= limit for due in due_dates for limit in eindagi):
        yield doc.root


def _icelandic_buyers(doc: UblDoc) -> list[Element]:
    if _seller_icelandic(doc) and postal_country_raw(doc, CUSTOMER) == "IS":
        return doc.all("/cac:AccountingCustomerParty")
    return []


@rule(
    "IS-R-004",
    N_(
        "Between Icelandic seller and buyer the buyer's kennitala (BT-47, scheme 0196) is required."
    ),
    rule_set=PEPPOL,
    field="buyer.legal_id",
)
def icelandic_buyer_id(doc: UblDoc) -> Iterator[Element]:
    for buyer in _icelandic_buyers(doc):
        ids = children(buyer, "cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
        if not any(el.get("schemeID") == "0196" for el in ids):
            yield buyer


@rule(
    "IS-R-005",
    N_(
        "Between Icelandic seller and buyer the buyer's address must have street name (BT-50) "
        "and post code (BT-53)."
    ),
    rule_set=PEPPOL,
    field="buyer.address",
)
def icelandic_buyer_address(doc: UblDoc) -> Iterator[Element]:
    for buyer in _icelandic_buyers(doc):
        if not (
            has(buyer, "cac:Party/cac:PostalAddress/cbc:StreetName")
            and has(buyer, "cac:Party/cac:PostalAddress/cbc:PostalZone")
        ):
            yield buyer
