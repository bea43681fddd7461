"""EN 16931 code lists (BR-CL-*): a code that is not on its list is reported with the code."""

from __future__ import annotations

import pytest

from backend.formats.validation.rules import codelists_data as codes

from .conftest import HAS_CORPUS
from .test_rules_en16931_support import (
    CREDIT_NOTE,
    FULL,
    Edit,
    add,
    added,
    added_after,
    changed,
    example,
    findings,
    fired,
    first,
    make,
    text,
)

needs_corpus = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"
ITEM = "cac:InvoiceLine/cac:Item"
E_CATEGORY = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']"


def attribute(path: str, name: str, value: str) -> Edit:
    return lambda root: first(root, path).set(name, value)


def _object_reference(root) -> None:
    reference = make("cac:AdditionalDocumentReference")
    add(reference, "cbc:ID", "AB-123", schemeID="XYZ")
    add(reference, "cbc:DocumentTypeCode", "130")
    first(root, "cac:ContractDocumentReference").addnext(reference)


BREAKING: list[tuple[str, str, Edit, str | None]] = [
    ("BR-CL-01", FULL, text("cbc:InvoiceTypeCode", "999"), "999"),
    ("BR-CL-01", CREDIT_NOTE, text("cbc:CreditNoteTypeCode", "380"), "380"),
    (
        "BR-CL-03",
        FULL,
        attribute("cac:LegalMonetaryTotal/cbc:PayableAmount", "currencyID", "XYZ"),
        "XYZ",
    ),
    ("BR-CL-04", FULL, text("cbc:DocumentCurrencyCode", "EURO"), "EURO"),
    (
        "BR-CL-05",
        FULL,
        added_after("cbc:DocumentCurrencyCode", "cbc:TaxCurrencyCode", "ABC"),
        "ABC",
    ),
    ("BR-CL-06", FULL, text("cac:InvoicePeriod/cbc:DescriptionCode", "5"), "5"),
    ("BR-CL-07", FULL, _object_reference, "XYZ"),
    ("BR-CL-08", FULL, text("cbc:Note", "#ZZY#Subject code not in the list"), "ZZY"),
    (
        "BR-CL-10",
        FULL,
        attribute(f"{SELLER}/cac:PartyIdentification/cbc:ID", "schemeID", "9999"),
        "9999",
    ),
    (
        "BR-CL-10",
        FULL,
        attribute(f"{BUYER}/cac:PartyIdentification/cbc:ID", "schemeID", "SEPA"),
        "SEPA",
    ),
    (
        "BR-CL-11",
        FULL,
        attribute(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", "schemeID", "XX"),
        "XX",
    ),
    (
        "BR-CL-13",
        FULL,
        attribute(f"{ITEM}/cac:CommodityClassification/cbc:ItemClassificationCode", "listID", "QQ"),
        "QQ",
    ),
    (
        "BR-CL-14",
        FULL,
        text(f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "XX"),
        "XX",
    ),
    ("BR-CL-15", FULL, text(f"{ITEM}/cac:OriginCountry/cbc:IdentificationCode", "ZZ"), "ZZ"),
    ("BR-CL-16", FULL, text("cac:PaymentMeans/cbc:PaymentMeansCode", "71"), "71"),
    ("BR-CL-17", FULL, text(f"{E_CATEGORY}/cbc:ID", "X"), "X"),
    ("BR-CL-18", FULL, text(f"{ITEM}/cac:ClassifiedTaxCategory/cbc:ID", "VAT"), "VAT"),
    ("BR-CL-19", FULL, text("cac:AllowanceCharge/cbc:AllowanceChargeReasonCode", "1"), "1"),
    (
        "BR-CL-20",
        FULL,
        added(
            "cac:AllowanceCharge[cbc:ChargeIndicator='true']", "cbc:AllowanceChargeReasonCode", "XX"
        ),
        "XX",
    ),
    (
        "BR-CL-21",
        FULL,
        attribute(f"{ITEM}/cac:StandardItemIdentification/cbc:ID", "schemeID", "GTIN"),
        "GTIN",
    ),
    (
        "BR-CL-22",
        FULL,
        added(E_CATEGORY, "cbc:TaxExemptionReasonCode", "VATEX-EU-999"),
        "VATEX-EU-999",
    ),
    ("BR-CL-23", FULL, attribute("cac:InvoiceLine/cbc:InvoicedQuantity", "unitCode", "PCS"), "PCS"),
    (
        "BR-CL-24",
        FULL,
        attribute("//cbc:EmbeddedDocumentBinaryObject", "mimeCode", "application/zip"),
        "application/zip",
    ),
    ("BR-CL-25", FULL, added(SELLER, "cbc:EndpointID", "123"), None),
    (
        "BR-CL-26",
        FULL,
        attribute("cac:Delivery/cac:DeliveryLocation/cbc:ID", "schemeID", "XXXX"),
        "XXXX",
    ),
]


@needs_corpus
@pytest.mark.parametrize(
    ("rule_id", "base", "edit", "code"),
    BREAKING,
    ids=[f"{r}-{i}" for i, (r, _, _, _) in enumerate(BREAKING)],
)
def test_a_code_off_the_list_is_reported(
    rule_id: str, base: str, edit: Edit, code: str | None
) -> None:
    if code is None:  # an endpoint with an unknown scheme
        code = "9999"
        edit = _then(edit, attribute(f"{SELLER}/cbc:EndpointID", "schemeID", code))
    assert rule_id not in fired(example(base))
    root = changed(base, edit)
    assert rule_id in fired(root)
    assert any(f.params.get("code") == code for f in findings(root, rule_id))


def _then(*edits: Edit) -> Edit:
    def edit(root) -> None:
        for one in edits:
            one(root)

    return edit


@needs_corpus
def test_codes_on_the_list_pass_whatever_their_case_or_spacing_rules_allow() -> None:
    lower_vatex = added(E_CATEGORY, "cbc:TaxExemptionReasonCode", "vatex-eu-132")
    assert "BR-CL-22" not in fired(changed(FULL, lower_vatex))
    spaced = text("cbc:DocumentCurrencyCode", "  NOK \n")
    assert "BR-CL-04" not in fired(changed(FULL, spaced))
    sepa_seller = attribute(f"{SELLER}/cac:PartyIdentification/cbc:ID", "schemeID", "SEPA")
    assert "BR-CL-10" not in fired(changed(FULL, sepa_seller))
    known_subject = text("cbc:Note", "#AAI#General information")
    assert "BR-CL-08" not in fired(changed(FULL, known_subject))


def test_the_code_lists_hold_the_codes_invoices_use() -> None:
    assert {"EUR", "SEK", "NOK", "USD"} <= codes.ISO4217
    assert {"SE", "NL", "1A", "XI"} <= codes.ISO3166
    assert "EL" not in codes.ISO3166 and " EL " in codes.VAT_PREFIX_LIST
    assert {"0007", "0088", "0106", "0192", "0208"} <= codes.ICD
    assert "0092" not in codes.ICD
    assert {"0088", "0192", "9906"} - codes.EAS == {"9906"}
    assert {"H87", "HUR", "KGM", "C62", "XPP"} <= codes.UNECE_REC20
    assert {"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"} == codes.UNCL5305
    assert {"30", "31", "49", "58", "59", "ZZZ"} <= codes.UNCL4461
    assert "380" in codes.UNCL1001_INVOICE and "381" in codes.UNCL1001_CREDIT_NOTE
