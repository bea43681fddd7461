"""Greek (GR-R-*, GR-S-*) and Italian (IT-R-*) national rules of Peppol BIS Billing 3.0.

Both go by Peppol's seller country: the seller's VAT number prefix (EL or GR for Greece), else
the tax representative's, else the seller's postal country.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children
from ..findings import RuleSet, Severity
from ..registry import rule
from .peppol_helpers import (
    COUNTRY,
    CUSTOMER,
    SUPPLIER,
    TAX_REPRESENTATIVE,
    cached,
    castable_as_integer,
    customer_country,
    greek_tin_ok,
    is_number,
    normalize_space,
    nvalue,
    string_value,
    supplier_country,
    vat_schemes,
    vat_schemes_normalized,
)

PEPPOL = RuleSet.PEPPOL
WARNING = Severity.WARNING
GREECE = ("GR", "EL")

# --- Greece -------------------------------------------------------------------------------

GREEK_DOCUMENT_TYPES = frozenset({"1.1", "1.6", "2.1", "2.4", "5.1", "5.2", ""})
ID_DATE = re.compile(r"^(0?[1-9]|[12][0-9]|3[01])[-\\/ ]?(0?[1-9]|1[0-2])[-\\/ ]?(19|20)[0-9]{2}")
MARK_NUMBER = re.compile(r"^[1-9]([0-9]*)")
MARK = "##M.AR.K##"
INVOICE_URL = "##INVOICE|URL##"


def greek_seller(doc: UblDoc) -> bool:
    return supplier_country(doc) in GREECE


def greek_buyer(doc: UblDoc) -> bool:
    return customer_country(doc) in GREECE


def _accounting_supplier_country(doc: UblDoc) -> str:
    """The seller's VAT number prefix, else postal country (no tax representative here)."""

    def compute(doc: UblDoc) -> str:
        for pts in vat_schemes(doc.first(SUPPLIER)):
            prefix = string_value(child(pts, "cbc:CompanyID"))[:2]
            if prefix:
                return normalize_space(prefix).upper()
            break
        country = doc.first(f"{SUPPLIER}/{COUNTRY}")
        return nvalue(country).upper() if country is not None else "XX"

    return cached(doc, "accounting_supplier_country", compute)


def _split(value: str, separator: str) -> list[str]:
    """XPath ``tokenize``: no tokens at all for an empty string."""
    return value.split(separator) if value else []


def _segments(doc: UblDoc) -> list[str]:
    return cached(doc, "gr_id_segments", lambda d: _split(string_value(d.first("/cbc:ID")), "|"))


def _segment(doc: UblDoc, number: int) -> str | None:
    segments = _segments(doc)
    return segments[number - 1] if len(segments) >= number else None


def _greek_id(doc: UblDoc) -> list[Element]:
    return doc.all("/cbc:ID") if greek_seller(doc) else []


def _id_rule(rule_id: str, message: str, valid: Callable[[UblDoc], bool]) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        for el in _greek_id(doc):
            if not valid(doc):
                yield el

    check.__name__ = "greek_" + rule_id.replace("-", "_").lower()
    rule(rule_id, message, rule_set=PEPPOL, field="number")(check)


def _tin_segment_ok(doc: UblDoc) -> bool:
    first = _segment(doc, 1)
    if first is None or len(normalize_space(first)) != 9 or not greek_tin_ok(first):
        return False
    vat_tins = [
        string_value(child(pts, "cbc:CompanyID"))[2:11]
        for party in (SUPPLIER, TAX_REPRESENTATIVE)
        for pts in vat_schemes(doc.first(party))
    ]
    return first in vat_tins


def _date_segment_ok(doc: UblDoc) -> bool:
    second = _segment(doc, 2)
    if second is None or not normalize_space(second) or not ID_DATE.search(second):
        return False
    day_month_year = _split(second, "/")
    year_month_day = _split(string_value(doc.first("/cbc:IssueDate")), "-")
    if len(day_month_year) < 3 or len(year_month_day) < 3:
        return False
    return day_month_year[:3] == year_month_day[:3][::-1]


def _serial_segment_ok(doc: UblDoc) -> bool:
    third = _segment(doc, 3)
    return (
        third is not None
        and bool(normalize_space(third))
        and is_number(third)
        and castable_as_integer(third)
        and int(third) >= 0
    )


def _type_segment_ok(doc: UblDoc) -> bool:
    fourth = _segment(doc, 4)
    return fourth is not None and bool(normalize_space(fourth)) and fourth in GREEK_DOCUMENT_TYPES


_id_rule(
    "GR-R-001-1",
    N_("A Greek seller's invoice number (BT-1) must have six segments separated by |."),
    lambda doc: len(_segments(doc)) == 6,
)
_id_rule(
    "GR-R-001-2",
    N_(
        "The first segment of a Greek seller's invoice number (BT-1) must be a valid tax number "
        "(AFM) of the seller or its tax representative."
    ),
    _tin_segment_ok,
)
_id_rule(
    "GR-R-001-3",
    N_(
        "The second segment of a Greek seller's invoice number (BT-1) must be the issue date "
        "(BT-2) as day/month/year."
    ),
    _date_segment_ok,
)
_id_rule(
    "GR-R-001-4",
    N_(
        "The third segment of a Greek seller's invoice number (BT-1) must be a positive whole "
        "number."
    ),
    _serial_segment_ok,
)
_id_rule(
    "GR-R-001-5",
    N_(
        "The fourth segment of a Greek seller's invoice number (BT-1) must be a Greek document "
        "type (1.1, 1.6, 2.1, 2.4, 5.1 or 5.2)."
    ),
    _type_segment_ok,
)
_id_rule(
    "GR-R-001-6",
    N_("The fifth segment of a Greek seller's invoice number (BT-1) must not be empty."),
    lambda doc: bool(_segment(doc, 5)),
)
_id_rule(
    "GR-R-001-7",
    N_("The sixth segment of a Greek seller's invoice number (BT-1) must not be empty."),
    lambda doc: bool(_segment(doc, 6)),
)


def _name_given(party: Element) -> bool:
    return len(string_value(child(party, "cac:PartyName/cbc:Name"))) > 0


@rule(
    "GR-R-002",
    N_("A Greek seller must give its full registered name as trading name (BT-28)."),
    rule_set=PEPPOL,
    field="seller.trading_name",
)
def greek_seller_name(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc):
        yield from (p for p in doc.all(SUPPLIER) if not _name_given(p))


def _single_greek_vat(party: Element) -> bool:
    numbers = [c for pts in vat_schemes_normalized(party) for c in children(pts, "cbc:CompanyID")]
    if len(numbers) != 1:
        return False
    value = string_value(numbers[0])
    return value[:2] == "EL" and greek_tin_ok(value[2:])


@rule(
    "GR-S-011",
    N_("A Greek seller should give its VAT number (BT-31) with the country prefix EL."),
    rule_set=PEPPOL,
    severity=WARNING,
    field="seller.vat_number",
)
def greek_seller_vat(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc):
        yield from (p for p in doc.all(SUPPLIER) if not _single_greek_vat(p))


@rule(
    "GR-R-003",
    N_("A Greek seller's VAT number (BT-31) must start with EL followed by a valid tax number."),
    rule_set=PEPPOL,
    field="seller.vat_number",
)
def greek_seller_vat_format(doc: UblDoc) -> Iterator[Element]:
    if not greek_seller(doc):
        return
    for party in doc.all(SUPPLIER):
        for pts in vat_schemes_normalized(party):
            for company_id in children(pts, "cbc:CompanyID"):
                value = string_value(company_id)
                if value[:2] != "EL" or not greek_tin_ok(value[2:]):
                    yield company_id


def _greek_seller_in_greece(doc: UblDoc) -> bool:
    return greek_seller(doc) and any(
        string_value(c) == "GR" for c in doc.all(f"{SUPPLIER}/{COUNTRY}")
    )


def _references(doc: UblDoc, description: str) -> list[Element]:
    return [
        ref
        for ref in doc.all("/cac:AdditionalDocumentReference")
        if any(string_value(d) == description for d in children(ref, "cbc:DocumentDescription"))
    ]


@rule(
    "GR-R-004-1",
    N_(
        "A Greek seller's invoice must carry exactly one MARK number (document reference "
        "##M.AR.K##)."
    ),
    rule_set=PEPPOL,
    field="attachments",
)
def greek_mark(doc: UblDoc) -> Iterator[Element]:
    if _greek_seller_in_greece(doc) and len(_references(doc, MARK)) != 1:
        yield doc.root


@rule(
    "GR-S-008-1",
    N_(
        "A Greek seller's invoice should carry one invoice URL (document reference "
        "##INVOICE|URL##)."
    ),
    rule_set=PEPPOL,
    severity=WARNING,
    field="attachments",
)
def greek_invoice_url(doc: UblDoc) -> Iterator[Element]:
    if _greek_seller_in_greece(doc) and len(_references(doc, INVOICE_URL)) != 1:
        yield doc.root


@rule(
    "GR-R-008-2",
    N_(
        "A Greek seller's invoice may carry no more than one invoice URL (document reference "
        "##INVOICE|URL##)."
    ),
    rule_set=PEPPOL,
    field="attachments",
)
def greek_one_invoice_url(doc: UblDoc) -> Iterator[Element]:
    if _greek_seller_in_greece(doc) and len(_references(doc, INVOICE_URL)) > 1:
        yield doc.root


@rule(
    "GR-R-004-2",
    N_("The MARK number of a Greek seller's invoice must be a positive whole number."),
    rule_set=PEPPOL,
    field="attachments",
)
def greek_mark_number(doc: UblDoc) -> Iterator[Element]:
    if _greek_seller_in_greece(doc):
        for ref in _references(doc, MARK):
            for el in children(ref, "cbc:ID"):
                if not MARK_NUMBER.search(string_value(el)):
                    yield el


@rule(
    "GR-R-008-3",
    N_("A Greek seller's invoice URL reference must give the external document location (BT-124)."),
    rule_set=PEPPOL,
    field="attachments",
)
def greek_invoice_url_location(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc):
        for ref in _references(doc, INVOICE_URL):
            if not nvalue(child(ref, "cac:Attachment/cac:ExternalReference/cbc:URI")):
                yield ref


@rule(
    "GR-R-005",
    N_("A Greek seller must give the buyer's full name as trading name (BT-45)."),
    rule_set=PEPPOL,
    field="buyer.trading_name",
)
def greek_buyer_name(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc):
        yield from (p for p in doc.all(CUSTOMER) if not _name_given(p))


def _greek_endpoint_ok(endpoint: Element) -> bool:
    return endpoint.get("schemeID") == "9933" and greek_tin_ok(string_value(endpoint))


@rule(
    "GR-R-009",
    N_("A Greek seller's electronic address (BT-34) must be its tax number with scheme 9933."),
    rule_set=PEPPOL,
    field="seller.endpoint",
)
def greek_seller_endpoint(doc: UblDoc) -> Iterator[Element]:
    if _accounting_supplier_country(doc) in GREECE:
        for endpoint in doc.all(f"{SUPPLIER}/cbc:EndpointID"):
            if not _greek_endpoint_ok(endpoint):
                yield endpoint


@rule(
    "GR-R-006",
    N_("A Greek seller must give a Greek buyer's VAT number (BT-48) with the prefix EL."),
    rule_set=PEPPOL,
    field="buyer.vat_number",
)
def greek_buyer_vat(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc) and greek_buyer(doc):
        yield from (p for p in doc.all(CUSTOMER) if not _single_greek_vat(p))


@rule(
    "GR-R-010",
    N_("A Greek buyer's electronic address (BT-49) must be its tax number with scheme 9933."),
    rule_set=PEPPOL,
    field="buyer.endpoint",
)
def greek_buyer_endpoint(doc: UblDoc) -> Iterator[Element]:
    if greek_seller(doc) and greek_buyer(doc):
        for endpoint in doc.all(f"{CUSTOMER}/cbc:EndpointID"):
            if not _greek_endpoint_ok(endpoint):
                yield endpoint


# --- Italy --------------------------------------------------------------------------------

ITALIAN_TAX_ID = re.compile(r"[A-Z0-9]{11,16}")


def _italian_sellers(doc: UblDoc) -> list[Element]:
    return doc.all(SUPPLIER) if supplier_country(doc) == "IT" else []


@rule(
    "IT-R-001",
    N_(
        "An Italian seller's tax registration identifier (BT-32) must have 11 to 16 letters or "
        "digits."
    ),
    rule_set=PEPPOL,
    field="seller.tax_registration_id",
)
def italian_tax_registration(doc: UblDoc) -> Iterator[Element]:
    for party in _italian_sellers(doc):
        for pts in children(party, "cac:PartyTaxScheme"):
            if nvalue(child(pts, "cac:TaxScheme/cbc:ID")) == "VAT":
                continue
            if not ITALIAN_TAX_ID.fullmatch(nvalue(child(pts, "cbc:CompanyID"))):
                yield pts


def _italian_address_rule(rule_id: str, part: str, message: str, field: str) -> None:
    def check(doc: UblDoc) -> Iterator[Element]:
        for party in _italian_sellers(doc):
            if child(party, f"cac:PostalAddress/{part}") is None:
                yield party

    check.__name__ = "italian_" + rule_id.replace("-", "_").lower()
    rule(rule_id, message, rule_set=PEPPOL, field=field)(check)


_italian_address_rule(
    "IT-R-002",
    "cbc:StreetName",
    N_("An Italian seller must give the street of its address (BT-35)."),
    "seller.address.street",
)
_italian_address_rule(
    "IT-R-003",
    "cbc:CityName",
    N_("An Italian seller must give the city of its address (BT-37)."),
    "seller.address.city",
)
_italian_address_rule(
    "IT-R-004",
    "cbc:PostalZone",
    N_("An Italian seller must give the post code of its address (BT-38)."),
    "seller.address.postal_code",
)
