"""EN 16931 code lists BR-CL-*: codes must come from the lists the standard names.

A code passes when its normalized text (or attribute) is one of the list's codes; the lists
are in ``codelists_data``. Contexts match at any depth, as the official rules' do.
"""

from __future__ import annotations

from collections.abc import Iterable

from ....domain.errors import N_
from ..document import Element, UblDoc, children
from ..registry import Hit, rule
from . import codelists_data as codes
from .en16931_common import facts, norm, nz, sval


def _not_in(elements: Iterable[Element], allowed: frozenset[str]) -> Iterable[Hit]:
    for el in elements:
        if el.text not in allowed or len(el):  # the usual case: the code exactly as listed
            value = nz(el)
            if value not in allowed:
                yield Hit(el, params={"code": value})


def _attribute_not_in(
    elements: Iterable[Element], attribute: str, allowed: frozenset[str]
) -> Iterable[Hit]:
    for el in elements:
        value = el.get(attribute)
        if value is None or value in allowed:
            continue
        value = norm(value)
        if value not in allowed:
            yield Hit(el, params={"code": value})


def _with_attribute(doc: UblDoc, suffix: str, attribute: str) -> Iterable[Element]:
    return (el for el in doc.anywhere(suffix) if el.get(attribute) is not None)


@rule(
    "BR-CL-01",
    N_(
        "The document type code (BT-3) '{code}' is not an invoice or credit note code of "
        "UNTDID 1001."
    ),
)
def type_code(doc: UblDoc) -> Iterable[Hit]:
    yield from _not_in(doc.anywhere("cbc:InvoiceTypeCode"), codes.UNCL1001_INVOICE)
    yield from _not_in(doc.anywhere("cbc:CreditNoteTypeCode"), codes.UNCL1001_CREDIT_NOTE)


_AMOUNTS = (
    "cbc:Amount",
    "cbc:BaseAmount",
    "cbc:PriceAmount",
    "cbc:TaxAmount",
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


@rule(
    "BR-CL-03",
    N_("The currency '{code}' of an amount is not an ISO 4217 alpha-3 currency code."),
)
def amount_currency(doc: UblDoc) -> Iterable[Hit]:
    f = facts(doc)
    for name in _AMOUNTS:
        for amount in f.doc.anywhere(name):
            value = amount.get("currencyID") or ""
            if value not in codes.ISO4217 and norm(value) not in codes.ISO4217:
                yield Hit(amount, params={"code": norm(value)})


@rule(
    "BR-CL-04",
    N_("The invoice currency code (BT-5) '{code}' is not an ISO 4217 alpha-3 currency code."),
    field="currency",
)
def document_currency(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cbc:DocumentCurrencyCode"), codes.ISO4217)


@rule(
    "BR-CL-05",
    N_(
        "The VAT accounting currency code (BT-6) '{code}' is not an ISO 4217 alpha-3 currency code."
    ),
)
def tax_currency(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cbc:TaxCurrencyCode"), codes.ISO4217)


@rule(
    "BR-CL-06",
    N_("The VAT point date code (BT-8) '{code}' must be 3, 35 or 432 (UNTDID 2005)."),
)
def tax_point_date_code(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:InvoicePeriod/cbc:DescriptionCode"), codes.UNCL2005)


@rule(
    "BR-CL-07",
    N_("The scheme '{code}' of the invoiced object identifier (BT-18) is not in UNTDID 1153."),
)
def object_identifier_scheme(doc: UblDoc) -> Iterable[Hit]:
    for name in ("cac:AdditionalDocumentReference", "cac:DocumentReference"):
        for reference in doc.anywhere(name):
            if any(sval(c) == "130" for c in children(reference, "cbc:DocumentTypeCode")):
                yield from _attribute_not_in(
                    children(reference, "cbc:ID"), "schemeID", codes.UNCL1153
                )


@rule(
    "BR-CL-08",
    N_("The subject code '{code}' of an invoice note (BT-21) is not in UNTDID 4451."),
    field="notes",
)
def note_subject(doc: UblDoc) -> Iterable[Hit]:
    for note in doc.all("/cbc:Note"):
        text = sval(note)
        _, hash_found, rest = text.partition("#")
        if not hash_found:
            continue
        code = rest.partition("#")[0] if "#" in rest else ""
        if len(code) == 3 and code not in codes.UNCL4451_LIST:
            yield Hit(note, params={"code": code})


@rule(
    "BR-CL-10",
    N_("The identifier scheme '{code}' is not in the ISO 6523 ICD list."),
)
def party_identifier_scheme(doc: UblDoc) -> Iterable[Hit]:
    for el in _with_attribute(doc, "cac:PartyIdentification/cbc:ID", "schemeID"):
        value = norm(el.get("schemeID") or "")
        if value in codes.ICD:
            continue
        if value == "SEPA" and _below_seller_or_payee(el):
            continue
        yield Hit(el, params={"code": value})


def _below_seller_or_payee(el: Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag.endswith(("}AccountingSupplierParty", "}PayeeParty")):
            return True
        parent = parent.getparent()
    return False


@rule(
    "BR-CL-11",
    N_("The legal registration identifier scheme '{code}' is not in the ISO 6523 ICD list."),
)
def legal_identifier_scheme(doc: UblDoc) -> Iterable[Hit]:
    return _attribute_not_in(
        doc.anywhere("cac:PartyLegalEntity/cbc:CompanyID"), "schemeID", codes.ICD
    )


@rule(
    "BR-CL-13",
    N_("The item classification scheme '{code}' (BT-158) is not in UNTDID 7143."),
    field="lines[{line}]",
)
def item_classification_scheme(doc: UblDoc) -> Iterable[Hit]:
    return _attribute_not_in(
        doc.anywhere("cac:CommodityClassification/cbc:ItemClassificationCode"),
        "listID",
        codes.UNCL7143,
    )


@rule("BR-CL-14", N_("The country code '{code}' is not an ISO 3166-1 alpha-2 code."))
def country_code(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:Country/cbc:IdentificationCode"), codes.ISO3166)


@rule(
    "BR-CL-15",
    N_("The item country of origin '{code}' (BT-159) is not an ISO 3166-1 alpha-2 code."),
    field="lines[{line}]",
)
def origin_country(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:OriginCountry/cbc:IdentificationCode"), codes.ISO3166)


@rule(
    "BR-CL-16",
    N_("The payment means code '{code}' (BT-81) is not in UNTDID 4461."),
    field="payment_means.code",
)
def payment_means(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:PaymentMeans/cbc:PaymentMeansCode"), codes.UNCL4461)


@rule(
    "BR-CL-17",
    N_("The VAT category code '{code}' is not in UNTDID 5305 (S, Z, E, AE, K, G, O, L, M, B)."),
)
def tax_category(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:TaxCategory/cbc:ID"), codes.UNCL5305)


@rule(
    "BR-CL-18",
    N_(
        "The invoiced item VAT category code '{code}' (BT-151) is not in UNTDID 5305 "
        "(S, Z, E, AE, K, G, O, L, M, B)."
    ),
    field="lines[{line}].vat_category",
)
def item_tax_category(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(doc.anywhere("cac:ClassifiedTaxCategory/cbc:ID"), codes.UNCL5305)


def _reason_codes(doc: UblDoc, charge: bool) -> Iterable[Element]:
    for ac in facts(doc).all_acs:
        if ac.kind(charge):
            yield from ac.reason_codes


@rule("BR-CL-19", N_("The allowance reason code '{code}' is not in UNTDID 5189."))
def allowance_reason_code(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(_reason_codes(doc, False), codes.UNCL5189)


@rule("BR-CL-20", N_("The charge reason code '{code}' is not in UNTDID 7161."))
def charge_reason_code(doc: UblDoc) -> Iterable[Hit]:
    return _not_in(_reason_codes(doc, True), codes.UNCL7161)


@rule(
    "BR-CL-21",
    N_("The item standard identifier scheme '{code}' (BT-157) is not in the ISO 6523 ICD list."),
    field="lines[{line}].standard_item_id",
)
def standard_item_scheme(doc: UblDoc) -> Iterable[Hit]:
    return _attribute_not_in(
        doc.anywhere("cac:StandardItemIdentification/cbc:ID"), "schemeID", codes.ICD
    )


@rule(
    "BR-CL-22",
    N_("The VAT exemption reason code '{code}' (BT-121) is not in the VATEX code list."),
    field="vat_exemptions",
)
def exemption_code(doc: UblDoc) -> Iterable[Hit]:
    for el in doc.anywhere("cbc:TaxExemptionReasonCode"):
        value = nz(el)
        if " " in value or value.upper() not in codes.VATEX:
            yield Hit(el, params={"code": value})


@rule(
    "BR-CL-23",
    N_("The unit of measure '{code}' is not a UN/ECE Recommendation 20 (or 21) unit code."),
    field="lines[{line}].unit_code",
)
def unit_code(doc: UblDoc) -> Iterable[Hit]:
    for name in ("cbc:InvoicedQuantity", "cbc:BaseQuantity", "cbc:CreditedQuantity"):
        yield from _attribute_not_in(doc.anywhere(name), "unitCode", codes.UNECE_REC20)


@rule(
    "BR-CL-24",
    N_(
        "The attachment MIME type '{code}' is not allowed: use application/pdf, image/png, "
        "image/jpeg, text/csv, or an .xlsx or .ods spreadsheet."
    ),
    field="attachments",
)
def mime_code(doc: UblDoc) -> Iterable[Hit]:
    for el in doc.anywhere("cbc:EmbeddedDocumentBinaryObject"):
        value = el.get("mimeCode")
        if value is not None and value not in codes.MIME_CODES:
            yield Hit(el, params={"code": value})


@rule(
    "BR-CL-25",
    N_("The electronic address scheme '{code}' is not in the CEF EAS code list."),
)
def endpoint_scheme(doc: UblDoc) -> Iterable[Hit]:
    return _attribute_not_in(doc.anywhere("cbc:EndpointID"), "schemeID", codes.EAS)


@rule(
    "BR-CL-26",
    N_("The delivery location identifier scheme '{code}' is not in the ISO 6523 ICD list."),
    field="delivery.location_id",
)
def delivery_location_scheme(doc: UblDoc) -> Iterable[Hit]:
    return _attribute_not_in(doc.anywhere("cac:DeliveryLocation/cbc:ID"), "schemeID", codes.ICD)
