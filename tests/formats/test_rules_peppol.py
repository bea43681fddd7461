"""Peppol BIS Billing 3.0 rules (PEPPOL-EN16931-*, PEPPOL-COMMON-*): each fires where the
official rule fires and stays silent on the valid document it was made from."""

from __future__ import annotations

import pytest
from lxml import etree

from backend.formats.validation import Severity, validate
from backend.formats.validation.rules import peppol_helpers as helpers

from .conftest import needs_corpus
from .test_rules_peppol_support import (
    BUYER,
    CREDIT_NOTE,
    INVOICE,
    LINE,
    NS,
    SELLER,
    add,
    example,
    findings,
    fires,
    first,
    make,
    remove,
    text,
)

pytestmark = needs_corpus


def test_peppol_rules_do_not_run_for_plain_en16931() -> None:
    root = example(INVOICE)
    remove(root, "cbc:ProfileID")
    assert fires(root, "PEPPOL-EN16931-R001")
    report = validate(root, rules="en16931", check_schema=False, strict=True)
    assert not any(f.rule.startswith("PEPPOL") for f in report.findings)


# --- document level -----------------------------------------------------------------------


def test_r001_r007_business_process() -> None:
    root = example(INVOICE)
    text(root, "cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:99:1.0")
    assert fires(root, "PEPPOL-EN16931-R007") and not fires(root, "PEPPOL-EN16931-R001")
    remove(root, "cbc:ProfileID")
    assert fires(root, "PEPPOL-EN16931-R001") and fires(root, "PEPPOL-EN16931-R007")
    root = example(INVOICE)
    text(root, "cbc:ProfileID", "urn:peppol:bis:billing_with_response")
    assert not fires(root, "PEPPOL-EN16931-R007")


def test_r002_one_note_unless_both_german() -> None:
    root = example(INVOICE)
    for _ in range(2):
        first(root, "cbc:DocumentCurrencyCode").addprevious(make("cbc:Note", "note"))
    found = findings(root, "PEPPOL-EN16931-R002")
    assert len(found) == 1 and found[0].field == "notes"
    text(root, f"{SELLER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "DE")
    text(root, f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", " de ")
    assert not fires(root, "PEPPOL-EN16931-R002")


def test_r003_buyer_or_order_reference() -> None:
    root = example(INVOICE)
    remove(root, "cbc:BuyerReference")
    assert fires(root, "PEPPOL-EN16931-R003")
    first(root, "cac:AccountingSupplierParty").addprevious(make("cac:OrderReference"))
    add(first(root, "cac:OrderReference"), "cbc:ID", "PO-1")
    assert not fires(root, "PEPPOL-EN16931-R003")


@pytest.mark.parametrize(
    ("value", "broken"),
    [
        ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0", False),
        ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0#x", False),
        ("urn:cen.eu:en16931:2017", True),
        ("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::x", True),
    ],
)
def test_r004_specification_identifier(value: str, broken: bool) -> None:
    root = example(INVOICE)
    text(root, "cbc:CustomizationID", value)
    # forced: an id without the Peppol part would not select the Peppol rules at all
    assert fires(root, "PEPPOL-EN16931-R004") is broken


def test_r053_r054_r055_tax_totals() -> None:
    root = example(INVOICE)
    tax_total = first(root, "cac:TaxTotal")
    tax_total.addnext(etree.fromstring(etree.tostring(tax_total)))
    assert fires(root, "PEPPOL-EN16931-R053")

    root = example(INVOICE)
    first(root, "cbc:DocumentCurrencyCode").addnext(make("cbc:TaxCurrencyCode", "SEK"))
    assert fires(root, "PEPPOL-EN16931-R054")
    bare = make("cac:TaxTotal")
    add(bare, "cbc:TaxAmount", "15000.00", currencyID="SEK")
    first(root, "cac:TaxTotal").addnext(bare)
    assert not fires(root, "PEPPOL-EN16931-R054")
    assert not fires(root, "PEPPOL-EN16931-R055")
    first(bare, "cbc:TaxAmount").text = "-15000.00"
    assert fires(root, "PEPPOL-EN16931-R055")


def test_r005_tax_currency_differs() -> None:
    root = example(INVOICE)
    first(root, "cbc:DocumentCurrencyCode").addnext(make("cbc:TaxCurrencyCode", " EUR "))
    assert fires(root, "PEPPOL-EN16931-R005")


def test_r010_r020_electronic_addresses() -> None:
    root = example(INVOICE)
    remove(root, f"{SELLER}/cbc:EndpointID")
    remove(root, f"{BUYER}/cbc:EndpointID")
    (seller,) = findings(root, "PEPPOL-EN16931-R020")
    (buyer,) = findings(root, "PEPPOL-EN16931-R010")
    assert seller.field == "seller.endpoint" and buyer.field == "buyer.endpoint"


def test_r080_one_project_reference_on_a_credit_note() -> None:
    root = example(CREDIT_NOTE)
    anchor = first(root, "cac:AccountingSupplierParty")
    for number in ("P1", "P2"):
        ref = make("cac:AdditionalDocumentReference")
        add(ref, "cbc:ID", number)
        add(ref, "cbc:DocumentTypeCode", "50")
        anchor.addprevious(ref)
    assert fires(root, "PEPPOL-EN16931-R080")
    remove(root, "cac:AdditionalDocumentReference[2]")
    assert not fires(root, "PEPPOL-EN16931-R080")


def test_r008_empty_elements() -> None:
    root = example(INVOICE)
    first(root, "cbc:AccountingCost").text = " \n\t "
    found = findings(root, "PEPPOL-EN16931-R008")
    assert [f.path for f in found] == ["/Invoice/cbc:AccountingCost"]
    root = example(INVOICE)
    note = make("cbc:Note")
    note.append(etree.Comment("only a comment"))
    first(root, "cbc:DocumentCurrencyCode").addprevious(note)
    assert fires(root, "PEPPOL-EN16931-R008")
    note.text = "\u00a0"  # not XML whitespace: a value
    assert not fires(root, "PEPPOL-EN16931-R008")


# --- allowances, charges, payment ----------------------------------------------------------


def _document_allowance(root: etree._Element) -> etree._Element:
    return root.findall("cac:AllowanceCharge", NS)[1]


def test_r040_amount_from_base_and_percentage() -> None:
    root = example(INVOICE)
    allowance = _document_allowance(root)
    add(allowance, "cbc:MultiplierFactorNumeric", "10")
    first(allowance, "cbc:Amount").addnext(make("cbc:BaseAmount", "1000.00", currencyID="EUR"))
    assert not fires(root, "PEPPOL-EN16931-R040")  # 100 = 1000 * 10 / 100
    first(allowance, "cbc:Amount").text = "100.03"
    (found,) = findings(root, "PEPPOL-EN16931-R040")
    assert found.params == {"expected": "100.00", "found": "100.03"}
    first(allowance, "cbc:Amount").text = "100.02"  # within the 0.02 the rule allows
    assert not fires(root, "PEPPOL-EN16931-R040")


def test_r041_r042_one_without_the_other_and_r043_is_then_not_checked() -> None:
    root = example(INVOICE)
    allowance = _document_allowance(root)
    add(allowance, "cbc:MultiplierFactorNumeric", "10")
    first(allowance, "cbc:ChargeIndicator").text = "no"
    assert fires(root, "PEPPOL-EN16931-R041")
    assert not fires(root, "PEPPOL-EN16931-R043")  # the element met R041's rule first
    remove(allowance, "cbc:MultiplierFactorNumeric")
    assert fires(root, "PEPPOL-EN16931-R043") and not fires(root, "PEPPOL-EN16931-R041")
    allowance.append(make("cbc:BaseAmount", "1000", currencyID="EUR"))
    assert fires(root, "PEPPOL-EN16931-R042") and not fires(root, "PEPPOL-EN16931-R043")


def test_r043_on_a_line_allowance() -> None:
    root = example(INVOICE)
    line = first(root, LINE)
    charge = make("cac:AllowanceCharge")
    add(charge, "cbc:ChargeIndicator", "TRUE")
    add(charge, "cbc:Amount", "0", currencyID="EUR")
    first(line, "cac:Item").addprevious(charge)
    (found,) = findings(root, "PEPPOL-EN16931-R043")
    assert found.field == "lines[0].allowances_charges"


def test_r044_r046_price_discount() -> None:
    root = example(INVOICE)
    price = first(root, f"{LINE}/cac:Price")
    discount = make("cac:AllowanceCharge")
    add(discount, "cbc:ChargeIndicator", "false")
    add(discount, "cbc:Amount", "100", currencyID="EUR")
    add(discount, "cbc:BaseAmount", "500", currencyID="EUR")
    price.append(discount)
    assert not fires(root, "PEPPOL-EN16931-R046")  # 400 = 500 - 100
    first(discount, "cbc:BaseAmount").text = "501"
    assert fires(root, "PEPPOL-EN16931-R046")
    first(discount, "cbc:ChargeIndicator").text = "true"
    (found,) = findings(root, "PEPPOL-EN16931-R044")
    assert found.field == "lines[0].net_price"


def test_r061_direct_debit_mandate() -> None:
    root = example(INVOICE)
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", " 59 ")
    assert fires(root, "PEPPOL-EN16931-R061")
    add(first(root, "cac:PaymentMeans"), "cac:PaymentMandate/cbc:ID", "M-1")
    assert not fires(root, "PEPPOL-EN16931-R061")


def test_r051_amount_currency() -> None:
    root = example(INVOICE)
    first(root, "cac:LegalMonetaryTotal/cbc:PayableAmount").set("currencyID", "SEK")
    (found,) = findings(root, "PEPPOL-EN16931-R051")
    assert found.path.endswith("cac:LegalMonetaryTotal/cbc:PayableAmount")
    # the VAT total in accounting currency (a TaxTotal without breakdown) is exempt
    root = example(INVOICE)
    first(root, "cbc:DocumentCurrencyCode").addnext(make("cbc:TaxCurrencyCode", "SEK"))
    bare = make("cac:TaxTotal")
    add(bare, "cbc:TaxAmount", "15000.00", currencyID="SEK")
    first(root, "cac:TaxTotal").addnext(bare)
    assert not fires(root, "PEPPOL-EN16931-R051")


# --- lines --------------------------------------------------------------------------------


def test_r110_r111_line_period_within_invoice_period() -> None:
    root = example(INVOICE)
    period = make("cac:InvoicePeriod")
    add(period, "cbc:StartDate", "2017-12-02")
    add(period, "cbc:EndDate", "2017-12-04")
    first(root, "cac:AccountingSupplierParty").addprevious(period)
    (start,) = findings(root, "PEPPOL-EN16931-R110")
    (end,) = findings(root, "PEPPOL-EN16931-R111")
    assert start.field == "lines[0].period_start" and end.field == "lines[0].period_end"
    first(period, "cbc:StartDate").text = "2017-12-01"
    first(period, "cbc:EndDate").text = "2017-12-05"
    assert not fires(root, "PEPPOL-EN16931-R110") and not fires(root, "PEPPOL-EN16931-R111")


def test_r120_line_net_amount() -> None:
    root = example(INVOICE)
    text(root, f"{LINE}[2]/cbc:LineExtensionAmount", "2000.03")
    (found,) = findings(root, "PEPPOL-EN16931-R120")
    assert found.field == "lines[1].net_amount"
    assert found.params == {"expected": "2000.00", "found": "2000.03"}
    text(root, f"{LINE}[2]/cbc:LineExtensionAmount", "2000.02")
    assert not fires(root, "PEPPOL-EN16931-R120")


def test_r120_counts_base_quantity_and_line_allowances() -> None:
    root = example(INVOICE)
    line = first(root, LINE)  # 10 x 400 = 4000
    add(first(line, "cac:Price"), "cbc:BaseQuantity", "2", unitCode="C62")
    assert fires(root, "PEPPOL-EN16931-R120")  # now 10 x 200 = 2000
    allowance = make("cac:AllowanceCharge")
    add(allowance, "cbc:ChargeIndicator", "false")
    add(allowance, "cbc:Amount", "-2000", currencyID="EUR")
    first(line, "cac:Item").addprevious(allowance)
    assert not fires(root, "PEPPOL-EN16931-R120")


def test_r121_r130_base_quantity() -> None:
    root = example(INVOICE)
    base = add(first(root, f"{LINE}/cac:Price"), "cbc:BaseQuantity", "0", unitCode="HUR")
    assert fires(root, "PEPPOL-EN16931-R121")
    (found,) = findings(root, "PEPPOL-EN16931-R130")
    assert found.field == "lines[0].base_quantity"
    base.text, base.attrib["unitCode"] = "1", "C62"
    assert not fires(root, "PEPPOL-EN16931-R121") and not fires(root, "PEPPOL-EN16931-R130")


def test_r100_r101_line_document_references() -> None:
    root = example(INVOICE)
    line = first(root, LINE)
    anchor = first(line, "cac:Item")
    reference = make("cac:DocumentReference")
    add(reference, "cbc:ID", "obj-1")
    add(reference, "cbc:DocumentTypeCode", "130")
    anchor.addprevious(reference)
    assert not fires(root, "PEPPOL-EN16931-R100") and not fires(root, "PEPPOL-EN16931-R101")
    first(reference, "cbc:DocumentTypeCode").text = "916"
    assert fires(root, "PEPPOL-EN16931-R101")
    anchor.addprevious(etree.fromstring(etree.tostring(reference)))
    assert fires(root, "PEPPOL-EN16931-R100")


# --- code lists, profile and format rules -------------------------------------------------


def test_cl001_mime_code() -> None:
    root = example(INVOICE)
    reference = make("cac:AdditionalDocumentReference")
    add(reference, "cbc:ID", "doc")
    obj = add(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject", "AAAA")
    obj.set("mimeCode", "application/pdf")
    obj.set("filename", "a.pdf")
    first(root, "cac:AccountingSupplierParty").addprevious(reference)
    assert not fires(root, "PEPPOL-EN16931-CL001")
    obj.set("mimeCode", "application/msword")
    assert fires(root, "PEPPOL-EN16931-CL001")


def test_cl002_cl003_reason_codes() -> None:
    root = example(INVOICE)
    charge, allowance = root.findall("cac:AllowanceCharge", NS)
    first(charge, "cbc:ChargeIndicator").addnext(make("cbc:AllowanceChargeReasonCode", "CG"))
    first(allowance, "cbc:ChargeIndicator").addnext(make("cbc:AllowanceChargeReasonCode", "95"))
    assert not fires(root, "PEPPOL-EN16931-CL002") and not fires(root, "PEPPOL-EN16931-CL003")
    first(charge, "cbc:AllowanceChargeReasonCode").text = "95"
    first(allowance, "cbc:AllowanceChargeReasonCode").text = "CG"
    assert fires(root, "PEPPOL-EN16931-CL002") and fires(root, "PEPPOL-EN16931-CL003")


def test_cl006_cl007_cl008() -> None:
    root = example(INVOICE)
    period = make("cac:InvoicePeriod")
    add(period, "cbc:DescriptionCode", "35")
    first(root, "cac:AccountingSupplierParty").addprevious(period)
    assert not fires(root, "PEPPOL-EN16931-CL006")
    first(period, "cbc:DescriptionCode").text = "1"
    assert fires(root, "PEPPOL-EN16931-CL006")
    first(root, "cac:TaxTotal/cbc:TaxAmount").set("currencyID", "EURO")
    assert fires(root, "PEPPOL-EN16931-CL007")
    first(root, f"{SELLER}/cbc:EndpointID").set("schemeID", "9999")
    assert fires(root, "PEPPOL-EN16931-CL008")


def test_p0100_p0101_p0112_type_codes() -> None:
    root = example(INVOICE)
    text(root, "cbc:InvoiceTypeCode", "381")
    assert fires(root, "PEPPOL-EN16931-P0100")
    text(root, "cbc:InvoiceTypeCode", "384")
    assert fires(root, "PEPPOL-EN16931-P0112") and not fires(root, "PEPPOL-EN16931-P0100")
    text(root, "cbc:ProfileID", "urn:unknown")  # no profile, no profile rule
    text(root, "cbc:InvoiceTypeCode", "381")
    assert not fires(root, "PEPPOL-EN16931-P0100")
    root = example(CREDIT_NOTE)
    text(root, "cbc:CreditNoteTypeCode", "380")
    assert fires(root, "PEPPOL-EN16931-P0101")


@pytest.mark.parametrize(
    ("code", "rule_id", "category"),
    [
        ("VATEX-EU-G", "PEPPOL-EN16931-P0104", "G"),
        ("vatex-eu-o", "PEPPOL-EN16931-P0105", "O"),
        ("VATEX-EU-IC", "PEPPOL-EN16931-P0106", "K"),
        ("VATEX-EU-AE", "PEPPOL-EN16931-P0107", "AE"),
        ("VATEX-EU-D", "PEPPOL-EN16931-P0108", "E"),
        ("VATEX-EU-F", "PEPPOL-EN16931-P0109", "E"),
        ("VATEX-EU-I", "PEPPOL-EN16931-P0110", "E"),
        ("VATEX-EU-J", "PEPPOL-EN16931-P0111", "E"),
    ],
)
def test_exemption_codes_require_their_category(code: str, rule_id: str, category: str) -> None:
    root = example(INVOICE)
    tax_category = first(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory")
    first(tax_category, "cbc:Percent").addnext(make("cbc:TaxExemptionReasonCode", code))
    (found,) = findings(root, rule_id)
    assert found.field == "vat_exemptions"
    first(tax_category, "cbc:ID").text = category
    assert not fires(root, rule_id)


@pytest.mark.parametrize(
    ("value", "broken"),
    [("2017-11-13", False), ("2017-02-29", True), ("13.11.2017", True), ("2017-11-13Z", True)],
)
def test_f001_dates(value: str, broken: bool) -> None:
    root = example(INVOICE)
    text(root, "cbc:DueDate", value)
    assert fires(root, "PEPPOL-EN16931-F001") is broken


# --- identifiers by scheme (PEPPOL-COMMON) --------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "rule_id", "good", "bad"),
    [
        ("0088", "PEPPOL-COMMON-R040", "7300010000001", "7300010000002"),
        ("0192", "PEPPOL-COMMON-R041", "991825827", "991825828"),
        ("0184", "PEPPOL-COMMON-R042", "DK12345678", "DK1234567"),
        ("0184", "PEPPOL-COMMON-R042", "12345678", "1234567A"),
        ("0208", "PEPPOL-COMMON-R043", "0739484052", "0739484059"),
        ("0007", "PEPPOL-COMMON-R049", "2021005489", "2021005488"),
        ("0007", "PEPPOL-COMMON-R049", "2021005489", "556622-1100"),
        ("0151", "PEPPOL-COMMON-R050", "51824753556", "51824753557"),
        ("0096", "PEPPOL-COMMON-R052", "1234567890", "123456789"),
        ("0198", "PEPPOL-COMMON-R053", "DK12345678", "12345678"),
    ],
)
def test_fatal_identifier_formats(scheme: str, rule_id: str, good: str, bad: str) -> None:
    root = example(INVOICE)
    endpoint = first(root, f"{BUYER}/cbc:EndpointID")
    endpoint.set("schemeID", scheme)
    endpoint.text = good
    assert not fires(root, rule_id)
    endpoint.text = bad
    (found,) = findings(root, rule_id)
    assert found.severity is Severity.FATAL and found.field == "buyer.endpoint"


@pytest.mark.parametrize(
    ("scheme", "rule_id", "good", "bad"),
    [
        ("0201", "PEPPOL-COMMON-R044", "UFXXXX", "UFXXX"),
        ("0210", "PEPPOL-COMMON-R045", "RSSMRA85T10A562S", "RSSMRA85T10A56"),
        ("0210", "PEPPOL-COMMON-R045", "12345678901", "1234567890A"),
        ("0211", "PEPPOL-COMMON-R047", "IT01234567897", "IT01234567890"),
        ("0106", "PEPPOL-COMMON-R054", "12345678", "1234567"),
        ("0190", "PEPPOL-COMMON-R055", "12345678901234567890", "1234567890123456789"),
        ("9944", "PEPPOL-COMMON-R056-1", "NL123456789B01", "NL123456789"),
        ("0217", "PEPPOL-COMMON-R057", "123456789012", "12345678901"),
    ],
)
def test_identifier_format_warnings(scheme: str, rule_id: str, good: str, bad: str) -> None:
    root = example(INVOICE)
    company_id = first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")
    company_id.set("schemeID", scheme)
    company_id.text = good
    assert not fires(root, rule_id)
    company_id.text = bad
    (found,) = findings(root, rule_id)
    assert found.severity is Severity.WARNING and found.field == "seller.legal_id"


def test_r046_italian_tax_code_as_electronic_address() -> None:
    root = example(INVOICE)
    endpoint = first(root, f"{BUYER}/cbc:EndpointID")
    endpoint.set("schemeID", "9907")
    endpoint.text = "RSSMRA85T10A562S"
    assert not fires(root, "PEPPOL-COMMON-R046")
    endpoint.text = "RSSMRA8XT10A562S"
    (found,) = findings(root, "PEPPOL-COMMON-R046")
    assert found.severity is Severity.WARNING


def test_scheme_rules_also_check_party_identifiers_but_r046_only_addresses() -> None:
    root = example(INVOICE)
    party_id = first(root, f"{SELLER}/cac:PartyIdentification/cbc:ID")
    party_id.set("schemeID", "0088")
    assert not fires(root, "PEPPOL-COMMON-R040")  # 99887766 happens to be a valid GLN
    party_id.text = "99887767"
    assert fires(root, "PEPPOL-COMMON-R040")
    party_id.set("schemeID", "9907")
    assert not fires(root, "PEPPOL-COMMON-R046")


def test_r056_2_dutch_vat_number_and_what_shadows_it() -> None:
    root = example(INVOICE)
    vat = first(root, f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID")
    vat.text = "NL12345678B01"
    assert fires(root, "PEPPOL-COMMON-R056-2")
    vat.text = "NL123456789B01"
    assert not fires(root, "PEPPOL-COMMON-R056-2")
    # a scheme rule met first takes the element: it is then checked as that scheme only
    vat.text, vat.attrib["schemeID"] = "NL12345678B01", "0106"
    assert not fires(root, "PEPPOL-COMMON-R056-2") and fires(root, "PEPPOL-COMMON-R054")
    # ...while R057 (0217) comes after R056-2 and does not see a Dutch VAT number
    vat.attrib["schemeID"] = "0217"
    assert fires(root, "PEPPOL-COMMON-R056-2") and not fires(root, "PEPPOL-COMMON-R057")


# --- helpers: XPath semantics and checksums -------------------------------------------------


def test_xpath_number_and_normalize_space() -> None:
    assert helpers.xpath_number(" 12.5 ") == 12.5
    assert helpers.xpath_number("1e3") == 1000
    assert helpers.is_number("INF") and not helpers.is_number("12a") and not helpers.is_number("")
    assert helpers.normalize_space(" a \t\n b ") == "a b"
    assert helpers.normalize_space("\u00a0") == "\u00a0"  # only XML whitespace counts


def test_checksums() -> None:
    assert helpers.gln_ok("7300010000001") and not helpers.gln_ok("7300010000002")
    assert helpers.mod11_ok("123456785") and not helpers.mod11_ok("123456789")
    assert helpers.swedish_orgnr_ok("5560360793") and not helpers.swedish_orgnr_ok("5560360794")
    assert helpers.greek_tin_ok("061828591") and not helpers.greek_tin_ok("061828592")
    assert helpers.italian_vat_ok("IT01234567897") and not helpers.italian_vat_ok("IT0123456789")
    assert helpers.italian_vat_ok("DE123")  # only IT numbers are checked
    assert helpers.iban_ok("DE89 3704 0044 0532 0130 00")
    assert not helpers.iban_ok("DE89370400440532013001")


def test_supplier_country_prefers_the_vat_number() -> None:
    from backend.formats.validation.document import UblDoc

    root = example(INVOICE)
    doc = UblDoc(root, frozenset())
    assert helpers.supplier_country(doc) == "GB" and helpers.customer_country(doc) == "SE"
    remove(root, f"{SELLER}/cac:PartyTaxScheme")
    text(root, f"{SELLER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", " no ")
    assert helpers.supplier_country(UblDoc(root, frozenset())) == "NO"
    remove(root, f"{SELLER}/cac:PostalAddress/cac:Country")
    assert helpers.supplier_country(UblDoc(root, frozenset())) == "XX"
