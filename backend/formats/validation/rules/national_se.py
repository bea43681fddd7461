"""Swedish national rules of Peppol BIS Billing 3.0 (SE-R-*): for sellers whose postal address
is in Sweden (country code compared exactly as written, as the official rules do); the VAT
number rules also need a Swedish VAT number (prefix SE)."""

from __future__ import annotations

from collections.abc import Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children
from ..findings import RuleSet, Severity
from ..registry import rule
from .peppol_helpers import (
    COUNTRY,
    cached,
    is_number,
    normalize_space,
    nvalue,
    string_value,
    swedish_orgnr_ok,
    vat_schemes,
    xpath_number,
)

PEPPOL = RuleSet.PEPPOL
WARNING = Severity.WARNING
SWEDISH_VAT_RATES = (25.0, 12.0, 6.0)


def _in_sweden(party: Element | None) -> bool:
    return any(string_value(c) == "SE" for c in children(party, COUNTRY))


def _swedish_vat(party: Element | None) -> bool:
    return any(string_value(child(pts, "cbc:CompanyID"))[:2] == "SE" for pts in vat_schemes(party))


def _sellers(doc: UblDoc) -> list[Element]:
    return doc.anywhere("cac:AccountingSupplierParty/cac:Party")


def _swedish_vat_sellers(doc: UblDoc) -> list[Element]:
    def compute(doc: UblDoc) -> list[Element]:
        return [p for p in _sellers(doc) if _in_sweden(p) and _swedish_vat(p)]

    return cached(doc, "se_vat_sellers", compute)


def _seller_in_sweden(doc: UblDoc) -> bool:
    return cached(doc, "se_seller", lambda d: any(_in_sweden(p) for p in _sellers(d)))


def _buyer_in_sweden(doc: UblDoc) -> bool:
    buyers = doc.anywhere("cac:AccountingCustomerParty/cac:Party")
    return any(_in_sweden(p) for p in buyers)


def _vat_number(party: Element) -> str:
    schemes = vat_schemes(party)
    return string_value(child(schemes[0], "cbc:CompanyID")) if schemes else ""


@rule(
    "SE-R-001",
    N_("A Swedish seller's VAT number (BT-31) must have 14 characters."),
    rule_set=PEPPOL,
    field="seller.vat_number",
)
def vat_number_length(doc: UblDoc) -> Iterator[Element]:
    for party in _swedish_vat_sellers(doc):
        if len(normalize_space(_vat_number(party))) != 14:
            yield party


@rule(
    "SE-R-002",
    N_("A Swedish seller's VAT number (BT-31) must end in 12 digits."),
    rule_set=PEPPOL,
    field="seller.vat_number",
)
def vat_number_digits(doc: UblDoc) -> Iterator[Element]:
    for party in _swedish_vat_sellers(doc):
        if not is_number(_vat_number(party)[2:14]):
            yield party


def _legal_entities(doc: UblDoc) -> list[Element]:
    """Swedish sellers' legal entities that carry an organisation number."""
    if not _seller_in_sweden(doc):
        return []
    return [
        entity
        for party in _sellers(doc)
        if _in_sweden(party)
        for entity in children(party, "cac:PartyLegalEntity")
        if child(entity, "cbc:CompanyID") is not None
    ]


@rule(
    "SE-R-003",
    N_("A Swedish organisation number (BT-30) must be numeric."),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def orgnr_numeric(doc: UblDoc) -> Iterator[Element]:
    for entity in _legal_entities(doc):
        if not is_number(string_value(child(entity, "cbc:CompanyID"))):
            yield entity


@rule(
    "SE-R-004",
    N_("A Swedish organisation number (BT-30) must have 10 digits."),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def orgnr_length(doc: UblDoc) -> Iterator[Element]:
    for entity in _legal_entities(doc):
        if len(nvalue(child(entity, "cbc:CompanyID"))) != 10:
            yield entity


@rule(
    "SE-R-013",
    N_("The last digit of a Swedish organisation number (BT-30) is not a valid check digit."),
    rule_set=PEPPOL,
    field="seller.legal_id",
)
def orgnr_check_digit(doc: UblDoc) -> Iterator[Element]:
    for entity in _legal_entities(doc):
        if not swedish_orgnr_ok(nvalue(child(entity, "cbc:CompanyID"))):
            yield entity


@rule(
    "SE-R-005",
    N_("A Swedish seller's tax registration (BT-32) must read 'Godkänd för F-skatt'."),
    rule_set=PEPPOL,
    field="seller.tax_registration_id",
)
def f_tax_text(doc: UblDoc) -> Iterator[Element]:
    if not _seller_in_sweden(doc):
        return
    for party in _sellers(doc):
        if not _in_sweden(party) or not children(party, "cac:PartyLegalEntity/cbc:CompanyID"):
            continue
        for pts in children(party, "cac:PartyTaxScheme"):
            # upper-case() of a missing scheme is "", which is not "VAT" either
            scheme = string_value(child(pts, "cac:TaxScheme/cbc:ID"))
            if normalize_space(scheme.upper()) == "VAT":
                continue
            for company_id in children(pts, "cbc:CompanyID"):
                if normalize_space(string_value(company_id).upper()) != "GODKÄND FÖR F-SKATT":
                    yield company_id


@rule(
    "SE-R-006",
    N_(
        "A Swedish seller may only use the VAT rates 25, 12 and 6 % for standard rated VAT "
        "(category S)."
    ),
    rule_set=PEPPOL,
)
def standard_rates(doc: UblDoc) -> Iterator[Element]:
    if not _swedish_vat_sellers(doc):
        return
    for category in doc.anywhere("cac:TaxCategory") + doc.anywhere("cac:ClassifiedTaxCategory"):
        if any(string_value(c) == "S" for c in children(category, "cbc:ID")):
            percent = xpath_number(string_value(child(category, "cbc:Percent")))
            if percent not in SWEDISH_VAT_RATES:
                yield category


def _giro_accounts(doc: UblDoc, branch: str) -> Iterator[Element]:
    if not _seller_in_sweden(doc):
        return
    for means in doc.anywhere("cac:PaymentMeans"):
        if nvalue(child(means, "cbc:PaymentMeansCode")) != "30":
            continue
        if (
            nvalue(child(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"))
            != branch
        ):
            continue
        yield from children(means, "cac:PayeeFinancialAccount/cbc:ID")


@rule(
    "SE-R-007",
    N_("A Plusgiro account number (BT-84) must be numeric."),
    rule_set=PEPPOL,
    severity=WARNING,
)
def plusgiro_numeric(doc: UblDoc) -> Iterator[Element]:
    yield from (el for el in _giro_accounts(doc, "SE:PLUSGIRO") if not is_number(nvalue(el)))


@rule(
    "SE-R-010",
    N_("A Plusgiro account number (BT-84) must have 2 to 8 digits."),
    rule_set=PEPPOL,
    severity=WARNING,
)
def plusgiro_length(doc: UblDoc) -> Iterator[Element]:
    yield from (el for el in _giro_accounts(doc, "SE:PLUSGIRO") if not 2 <= len(nvalue(el)) <= 8)


@rule(
    "SE-R-008",
    N_("A Bankgiro account number (BT-84) must be numeric."),
    rule_set=PEPPOL,
    severity=WARNING,
)
def bankgiro_numeric(doc: UblDoc) -> Iterator[Element]:
    yield from (el for el in _giro_accounts(doc, "SE:BANKGIRO") if not is_number(nvalue(el)))


@rule(
    "SE-R-009",
    N_("A Bankgiro account number (BT-84) must have 7 or 8 digits."),
    rule_set=PEPPOL,
    severity=WARNING,
)
def bankgiro_length(doc: UblDoc) -> Iterator[Element]:
    yield from (el for el in _giro_accounts(doc, "SE:BANKGIRO") if len(nvalue(el)) not in (7, 8))


def _payment_means_with_code(doc: UblDoc, codes: tuple[str, ...]) -> Iterator[Element]:
    for means in doc.anywhere("cac:PaymentMeans"):
        if any(string_value(c) in codes for c in children(means, "cbc:PaymentMeansCode")):
            yield means


@rule(
    "SE-R-011",
    N_(
        "For Bankgiro or Plusgiro use payment means code 30 with the branch SE:BANKGIRO or "
        "SE:PLUSGIRO, not codes 50 or 56."
    ),
    rule_set=PEPPOL,
    severity=WARNING,
    field="payment_means.code",
)
def giro_payment_means_code(doc: UblDoc) -> Iterator[Element]:
    if _seller_in_sweden(doc):
        yield from _payment_means_with_code(doc, ("50", "56"))


@rule(
    "SE-R-012",
    N_("Between Swedish trading partners a credit transfer should use payment means code 30."),
    rule_set=PEPPOL,
    severity=WARNING,
    field="payment_means.code",
)
def domestic_credit_transfer_code(doc: UblDoc) -> Iterator[Element]:
    if _seller_in_sweden(doc) and _buyer_in_sweden(doc):
        yield from _payment_means_with_code(doc, ("31",))
