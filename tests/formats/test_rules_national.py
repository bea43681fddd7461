"""National rules of Peppol BIS Billing 3.0 (NL, SE, DE, DK, NO, IS, GR, IT): each applies by the
seller's (and where the rule says, the buyer's) country as the official rules decide, fires where
they fire and stays silent otherwise."""

from __future__ import annotations

import pytest
from lxml import etree

from backend.formats.validation import Severity

from .conftest import needs_corpus
from .test_rules_peppol_support import (
    BUYER,
    BUYER_COUNTRY,
    CREDIT_NOTE,
    INVOICE,
    LINE,
    SELLER,
    SELLER_COUNTRY,
    SELLER_VAT,
    add,
    every,
    example,
    findings,
    fires,
    first,
    make,
    peppol_ids,
    remove,
    text,
)

pytestmark = needs_corpus


def national(root: etree._Element, prefix: str) -> set[str]:
    return {rule for rule in peppol_ids(root) if rule.startswith(prefix)}


def document_reference(root: etree._Element, description: str, ref_id: str) -> etree._Element:
    reference = make("cac:AdditionalDocumentReference")
    add(reference, "cbc:ID", ref_id)
    add(reference, "cbc:DocumentDescription", description)
    first(root, "cac:AccountingSupplierParty").addprevious(reference)
    return reference


# --- the Netherlands ------------------------------------------------------------------------


def dutch(name: str = INVOICE, buyer: bool = True) -> etree._Element:
    root = example(name)
    text(root, SELLER_COUNTRY, "NL")
    legal = first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")
    legal.text, legal.attrib["schemeID"] = "12345678", "0106"
    if buyer:
        text(root, BUYER_COUNTRY, "NL")
        first(root, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0190")
        remove(root, f"{LINE}/cac:OrderLineReference")
    return root


def test_a_complete_dutch_invoice_breaks_no_dutch_rule() -> None:
    assert national(dutch(), "NL-") == set()


def test_nl_rules_need_a_dutch_seller() -> None:
    root = example(INVOICE)  # GB seller: the order line reference is no Dutch concern
    remove(root, f"{SELLER}/cac:PostalAddress/cbc:StreetName")
    assert national(root, "NL-") == set()


def test_nl_r001_credit_note_refers_to_an_invoice() -> None:
    root = dutch(CREDIT_NOTE)
    assert not fires(root, "NL-R-001")
    remove(root, "cac:BillingReference")
    (found,) = findings(root, "NL-R-001")
    assert found.field == "preceding_invoices"


def test_nl_r002_r003_seller_address_and_legal_id() -> None:
    root = dutch()
    remove(root, f"{SELLER}/cac:PostalAddress/cbc:CityName")
    first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0183")
    assert {"NL-R-002", "NL-R-003"} <= national(root, "NL-")


def test_nl_r004_r005_only_for_a_dutch_buyer() -> None:
    root = dutch()
    remove(root, f"{BUYER}/cac:PostalAddress/cbc:PostalZone")
    first(root, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0183")
    assert {"NL-R-004", "NL-R-005"} <= national(root, "NL-")
    text(root, BUYER_COUNTRY, "BE")
    assert not {"NL-R-004", "NL-R-005"} & national(root, "NL-")


def test_nl_r006_tax_representative_address() -> None:
    root = dutch()
    representative = make("cac:TaxRepresentativeParty")
    add(representative, "cac:PartyName/cbc:Name", "Rep")
    address = add(representative, "cac:PostalAddress")
    add(address, "cbc:StreetName", "Straat 1")
    add(address, "cac:Country/cbc:IdentificationCode", "NL")
    first(root, "cac:Delivery").addprevious(representative)
    assert fires(root, "NL-R-006")
    address.insert(1, make("cbc:CityName", "Utrecht"))
    address.insert(2, make("cbc:PostalZone", "1234 AB"))
    assert not fires(root, "NL-R-006")


def test_nl_r007_payment_means_when_the_buyer_pays() -> None:
    root = dutch()
    remove(root, "cac:PaymentMeans")
    assert fires(root, "NL-R-007")
    text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", "0.00")
    assert not fires(root, "NL-R-007")


def test_nl_r008_dutch_payment_means_codes() -> None:
    root = dutch()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "31")
    (found,) = findings(root, "NL-R-008")
    assert found.field == "payment_means.code"


def test_nl_r009_order_line_reference_needs_an_order() -> None:
    root = dutch(buyer=False)  # line 1 refers to order line 123 and there is no order
    assert fires(root, "NL-R-009")
    first(root, "cac:AccountingSupplierParty").addprevious(make("cac:OrderReference"))
    add(first(root, "cac:OrderReference"), "cbc:ID", "PO-1")
    assert not fires(root, "NL-R-009")


# --- Sweden ---------------------------------------------------------------------------------


def swedish() -> etree._Element:
    root = example(INVOICE)
    text(root, SELLER_COUNTRY, "SE")
    text(root, SELLER_VAT, "SE556036079301")
    text(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", "5560360793")
    for percent in every(root, ".//cbc:Percent"):
        if percent.text.startswith("15"):
            percent.text = "12"
    return root


def test_a_complete_swedish_invoice_breaks_no_swedish_rule() -> None:
    assert national(swedish(), "SE-") == set()


@pytest.mark.parametrize(
    ("vat", "expected"),
    [("SE55603607930", {"SE-R-001"}), ("SE55603607930A", {"SE-R-002"})],
)
def test_se_r001_r002_vat_number(vat: str, expected: set[str]) -> None:
    root = swedish()
    text(root, SELLER_VAT, vat)
    assert national(root, "SE-") == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("5560360794", {"SE-R-013"}),
        ("556036079", {"SE-R-004", "SE-R-013"}),
        ("556036-0793", {"SE-R-003", "SE-R-004", "SE-R-013"}),
    ],
)
def test_se_r003_r004_r013_organisation_number(number: str, expected: set[str]) -> None:
    root = swedish()
    text(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID", number)
    assert national(root, "SE-") == expected
    assert findings(root, "SE-R-004" if "SE-R-004" in expected else "SE-R-013")[0].field == (
        "seller.legal_id"
    )


def test_se_r005_f_tax_text() -> None:
    root = swedish()
    scheme = make("cac:PartyTaxScheme")
    registration = add(scheme, "cbc:CompanyID", "F-skatt")
    add(scheme, "cac:TaxScheme/cbc:ID", "TAX")
    first(root, f"{SELLER}/cac:PartyLegalEntity").addprevious(scheme)
    (found,) = findings(root, "SE-R-005")
    assert found.field == "seller.tax_registration_id"
    registration.text = "Godkänd för  F-skatt"
    assert not fires(root, "SE-R-005")


def test_se_r006_swedish_vat_rates() -> None:
    root = example(INVOICE)
    text(root, SELLER_COUNTRY, "SE")
    text(root, SELLER_VAT, "SE556036079301")
    assert len(findings(root, "SE-R-006")) == 2  # the 15 % subtotal and line 2
    text(root, SELLER_VAT, "GB1232434")  # no Swedish VAT number: the rates are not checked
    assert not fires(root, "SE-R-006")


@pytest.mark.parametrize(
    ("branch", "account", "expected"),
    [
        ("SE:PLUSGIRO", "12345", set()),
        ("SE:PLUSGIRO", "123456789", {"SE-R-010"}),
        ("SE:PLUSGIRO", "12A", {"SE-R-007"}),
        ("SE:BANKGIRO", "1234567", set()),
        ("SE:BANKGIRO", "123456", {"SE-R-009"}),
        ("SE:BANKGIRO", "123456A", {"SE-R-008"}),
    ],
)
def test_se_giro_accounts(branch: str, account: str, expected: set[str]) -> None:
    root = swedish()
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", account)
    text(
        root,
        "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
        branch,
    )
    assert national(root, "SE-") == expected
    for rule_id in expected:
        assert findings(root, rule_id)[0].severity is Severity.WARNING


def test_se_r011_r012_payment_means_codes() -> None:
    root = swedish()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "50")
    assert national(root, "SE-") == {"SE-R-011"}
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "31")
    assert national(root, "SE-") == {"SE-R-012"}  # the buyer is Swedish too
    text(root, BUYER_COUNTRY, "NO")
    assert national(root, "SE-") == set()


# --- Germany --------------------------------------------------------------------------------


def german() -> etree._Element:
    root = example(INVOICE)
    text(root, SELLER_COUNTRY, "DE")
    text(root, BUYER_COUNTRY, "DE")
    return root


def test_a_complete_german_invoice_breaks_no_german_rule() -> None:
    assert national(german(), "DE-") == set()


def test_de_rules_need_german_seller_and_buyer() -> None:
    root = german()
    remove(root, "cac:PaymentMeans")
    assert fires(root, "DE-R-001")
    text(root, BUYER_COUNTRY, "SE")
    assert national(root, "DE-") == set()


@pytest.mark.parametrize(
    ("path", "rule_id"),
    [
        ("cac:PaymentMeans", "DE-R-001"),
        (f"{SELLER}/cac:Contact", "DE-R-002"),
        (f"{SELLER}/cac:PostalAddress/cbc:CityName", "DE-R-003"),
        (f"{SELLER}/cac:PostalAddress/cbc:PostalZone", "DE-R-004"),
        (f"{SELLER}/cac:Contact/cbc:Name", "DE-R-005"),
        (f"{SELLER}/cac:Contact/cbc:Telephone", "DE-R-006"),
        (f"{SELLER}/cac:Contact/cbc:ElectronicMail", "DE-R-007"),
        (f"{BUYER}/cac:PostalAddress/cbc:CityName", "DE-R-008"),
        (f"{BUYER}/cac:PostalAddress/cbc:PostalZone", "DE-R-009"),
        ("cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName", "DE-R-010"),
        ("cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:PostalZone", "DE-R-011"),
        ("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", "DE-R-014"),
        ("cbc:BuyerReference", "DE-R-015"),
        (f"{SELLER}/cac:PartyTaxScheme", "DE-R-016"),
        ("cac:PaymentMeans/cac:PayeeFinancialAccount", "DE-R-023-1"),
    ],
)
def test_de_required_elements(path: str, rule_id: str) -> None:
    root = german()
    remove(root, path)
    assert rule_id in national(root, "DE-")


def test_de_r003_a_blank_city_is_no_city() -> None:
    root = german()
    text(root, f"{SELLER}/cac:PostalAddress/cbc:CityName", "  ")
    (found,) = findings(root, "DE-R-003")
    assert found.field == "seller.address.city"


def test_de_r016_a_tax_representative_will_do() -> None:
    root = german()
    remove(root, f"{SELLER}/cac:PartyTaxScheme")
    representative = make("cac:TaxRepresentativeParty")
    add(representative, "cac:PartyName/cbc:Name", "Rep")
    first(root, "cac:Delivery").addprevious(representative)
    assert not fires(root, "DE-R-016")


def test_de_warnings() -> None:
    root = german()
    text(root, "cbc:InvoiceTypeCode", "383")
    text(root, f"{SELLER}/cac:Contact/cbc:Telephone", "+4 (1)")
    text(root, f"{SELLER}/cac:Contact/cbc:ElectronicMail", "john.doe@foo")
    assert national(root, "DE-") == {"DE-R-017", "DE-R-027", "DE-R-028"}
    assert all(f.severity is Severity.WARNING for f in findings(root, "DE-R-028"))


@pytest.mark.parametrize(
    ("note", "broken"),
    [
        ("#SKONTO#TAGE=14#PROZENT=2.00#\n", False),
        ("#SKONTO#TAGE=14#PROZENT=2.00#BASISBETRAG=100.00#\nRest text", False),
        ("#SKONTO#TAGE=14#PROZENT=2#\n", True),
        ("#SKONTO#TAGE=14#PROZENT=2.00#", True),
        ("Zahlbar in 14 Tagen", False),
    ],
)
def test_de_r018_skonto(note: str, broken: bool) -> None:
    root = german()
    text(root, "cac:PaymentTerms/cbc:Note", note)
    assert fires(root, "DE-R-018") is broken


def test_de_credit_transfer() -> None:
    root = german()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "58")
    assert national(root, "DE-") == {"DE-R-019"}  # IBAN32423940 is no IBAN
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "DE89370400440532013000")
    assert national(root, "DE-") == set()
    add(first(root, "cac:PaymentMeans"), "cac:CardAccount/cbc:PrimaryAccountNumberID", "1234")
    assert national(root, "DE-") == {"DE-R-023-2"}


def test_de_card_payment() -> None:
    root = german()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "48")
    assert national(root, "DE-") == {"DE-R-024-1", "DE-R-024-2"}


def test_de_direct_debit() -> None:
    root = german()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "59")
    # no debited account yet, so no valid IBAN either (DE-R-020 is a warning)
    assert national(root, "DE-") == {"DE-R-020", "DE-R-025-1", "DE-R-025-2"}
    remove(root, "cac:PaymentMeans/cac:PayeeFinancialAccount")
    mandate = add(first(root, "cac:PaymentMeans"), "cac:PaymentMandate")
    add(mandate, "cbc:ID", "M-1")
    assert national(root, "DE-") == {"DE-R-020", "DE-R-030", "DE-R-031"}
    add(mandate, "cac:PayerFinancialAccount/cbc:ID", "DE89370400440532013000")
    first(root, f"{SELLER}/cac:PartyIdentification/cbc:ID").set("schemeID", "SEPA")
    assert national(root, "DE-") == set()


def test_de_attachments() -> None:
    root = german()
    for number in ("1", "2"):
        reference = document_reference(root, "Timesheet", number)
        obj = add(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject", "AAAA")
        obj.set("mimeCode", "application/pdf")
        obj.set("filename", "times.pdf")
    assert national(root, "DE-") == {"DE-R-022"}
    remove(root, "cac:AdditionalDocumentReference[2]")
    reference = first(root, "cac:AdditionalDocumentReference")
    remove(reference, "cac:Attachment")
    add(reference, "cac:Attachment/cac:ExternalReference/cbc:URI", "www.example.com/times")
    assert national(root, "DE-") == {"DE-R-T02"}


def test_de_r026_corrected_invoice_should_refer_to_its_original() -> None:
    root = german()
    text(root, "cbc:InvoiceTypeCode", "384")
    assert national(root, "DE-") == {"DE-R-026"}
    assert not fires(root, "PEPPOL-EN16931-P0112")  # 384 is allowed between Germans


# --- Denmark --------------------------------------------------------------------------------


def danish(name: str = INVOICE) -> etree._Element:
    root = example(name)
    text(root, SELLER_COUNTRY, "DK")
    text(root, BUYER_COUNTRY, "DK")
    legal = first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")
    legal.text, legal.attrib["schemeID"] = "12345678", "0184"
    first(root, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0184")
    first(root, f"{SELLER}/cac:PartyIdentification/cbc:ID").set("schemeID", "0088")
    if name == INVOICE:
        text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "31")
    return root


def test_a_complete_danish_invoice_breaks_no_danish_rule() -> None:
    assert national(danish(), "DK-") == set()
    assert national(danish(CREDIT_NOTE), "DK-") == set()


def test_dk_rules_compare_the_country_code_as_written() -> None:
    root = danish()
    remove(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")
    assert fires(root, "DK-R-002")
    text(root, SELLER_COUNTRY, " DK")
    assert national(root, "DK-") == set()


def test_dk_seller_and_buyer_legal_ids() -> None:
    root = danish()
    del first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID").attrib["schemeID"]
    first(root, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0183")
    del first(root, f"{SELLER}/cac:PartyIdentification/cbc:ID").attrib["schemeID"]
    assert national(root, "DK-") == {"DK-R-013", "DK-R-014", "DK-R-017"}


@pytest.mark.parametrize(
    ("code", "payment_id", "account", "expected"),
    [
        ("30", "x", "12345678", {"DK-R-005"}),
        ("42", "x", "", {"DK-R-006"}),
        ("49", "x", "1", {"DK-R-007"}),
        ("50", "01#1234", "1234567", set()),
        ("50", "02#1234", "1234567", {"DK-R-008"}),
        ("50", "04#1234", "12345678", {"DK-R-009"}),
        ("50", "04#1234567890123456", "123456789", {"DK-R-008"}),
        ("93", "71#123456789012345", "12345678", set()),
        ("93", "71#12", "12345678", {"DK-R-011"}),
        ("93", "73#12", "1234567", {"DK-R-010"}),
    ],
)
def test_dk_payment_means(code: str, payment_id: str, account: str, expected: set[str]) -> None:
    root = danish()
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", code)
    text(root, "cac:PaymentMeans/cbc:PaymentID", payment_id)
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", account)
    assert national(root, "DK-") == expected


def test_dk_r016_credit_note_total() -> None:
    root = danish(CREDIT_NOTE)
    text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", "-1.00")
    assert fires(root, "DK-R-016")


def test_dk_r003_unspsc_version() -> None:
    root = danish()
    code = first(root, f"{LINE}/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode")
    code.set("listID", "TST")
    (found,) = findings(root, "DK-R-003")
    assert found.field == "lines[0]"
    code.set("listVersionID", "26.08.01")
    assert not fires(root, "DK-R-003")


@pytest.mark.parametrize(
    ("reason", "broken"), [("Cleaning", True), ("1234", False), ("tax#x", False), ("#x", True)]
)
def test_dk_r004_other_taxes(reason: str, broken: bool) -> None:
    root = danish()
    charge = first(root, "cac:AllowanceCharge")
    first(charge, "cbc:ChargeIndicator").addnext(make("cbc:AllowanceChargeReasonCode", "ZZZ"))
    text(charge, "cbc:AllowanceChargeReason", reason)
    assert fires(root, "DK-R-004") is broken


# --- Norway and Iceland ---------------------------------------------------------------------


def test_no_rules_go_by_the_vat_number() -> None:
    root = example(INVOICE)
    text(root, SELLER_VAT, "NO991825827MVA")
    assert national(root, "NO-") == {"NO-R-002"}
    assert findings(root, "NO-R-002")[0].severity is Severity.WARNING
    scheme = make("cac:PartyTaxScheme")
    add(scheme, "cbc:CompanyID", "Foretaksregisteret")
    add(scheme, "cac:TaxScheme/cbc:ID", "TAX")
    first(root, f"{SELLER}/cac:PartyLegalEntity").addprevious(scheme)
    assert national(root, "NO-") == set()
    for vat in ("NO991825828MVA", "NO991825827"):
        text(root, SELLER_VAT, vat)
        assert national(root, "NO-") == {"NO-R-001"}


def icelandic() -> etree._Element:
    root = example(INVOICE)
    text(root, SELLER_COUNTRY, "IS")
    first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID").set("schemeID", "0196")
    return root


def test_is_rules() -> None:
    root = icelandic()
    assert national(root, "IS-") == set()
    text(root, "cbc:InvoiceTypeCode", "383")
    del first(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID").attrib["schemeID"]
    remove(root, f"{SELLER}/cac:PostalAddress/cbc:StreetName")
    text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", "42")
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "123")
    assert national(root, "IS-") == {"IS-R-001", "IS-R-002", "IS-R-003", "IS-R-007"}
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "0123 26 012345")
    assert "IS-R-007" in national(root, "IS-")
    text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "012326012345")
    assert "IS-R-007" not in national(root, "IS-")


@pytest.mark.parametrize(
    ("eindagi", "due", "expected"),
    [
        ("2017-12-05", "2017-12-01", set()),
        ("2017-11-30", "2017-12-01", {"IS-R-010"}),
        ("05.12.2017", "2017-12-01", {"IS-R-008", "IS-R-010"}),
        ("2017-12-05", None, {"IS-R-009", "IS-R-010"}),
    ],
)
def test_is_eindagi(eindagi: str, due: str | None, expected: set[str]) -> None:
    root = icelandic()
    document_reference(root, "EINDAGI", eindagi)
    if due is None:
        remove(root, "cbc:DueDate")
    else:
        text(root, "cbc:DueDate", due)
    assert national(root, "IS-") == expected


def test_is_r004_r005_icelandic_buyer() -> None:
    root = icelandic()
    text(root, BUYER_COUNTRY, "IS")
    remove(root, f"{BUYER}/cac:PostalAddress/cbc:PostalZone")
    assert national(root, "IS-") == {"IS-R-004", "IS-R-005"}


# --- Greece ---------------------------------------------------------------------------------


def greek() -> etree._Element:
    root = example(INVOICE)
    text(root, "cbc:ID", "061828591|13/11/2017|1|1.1|A|B")
    text(root, SELLER_COUNTRY, "GR")
    text(root, SELLER_VAT, "EL061828591")
    endpoint = text(root, f"{SELLER}/cbc:EndpointID", "061828591")
    endpoint.set("schemeID", "9933")
    document_reference(root, "##M.AR.K##", "400001234567890")
    url = document_reference(root, "##INVOICE|URL##", "url")
    add(url, "cac:Attachment/cac:ExternalReference/cbc:URI", "https://example.gr/invoice")
    return root


def test_a_complete_greek_invoice_breaks_no_greek_rule() -> None:
    assert national(greek(), "GR-") == set()


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("061828591|13/11/2017|1|1.1|A", {"GR-R-001-1", "GR-R-001-7"}),
        ("061828592|13/11/2017|1|1.1|A|B", {"GR-R-001-2"}),
        ("094019245|13/11/2017|1|1.1|A|B", {"GR-R-001-2"}),
        ("061828591|14/11/2017|1|1.1|A|B", {"GR-R-001-3"}),
        ("061828591|13-11-2017|1|1.1|A|B", {"GR-R-001-3"}),
        ("061828591|13/11/2017|-1|1.1|A|B", {"GR-R-001-4"}),
        ("061828591|13/11/2017|1|9.9|A|B", {"GR-R-001-5"}),
        ("061828591|13/11/2017|1|1.1||B", {"GR-R-001-6"}),
    ],
)
def test_gr_r001_invoice_number(number: str, expected: set[str]) -> None:
    root = greek()
    text(root, "cbc:ID", number)
    assert national(root, "GR-") == expected
    for rule_id in expected:
        assert findings(root, rule_id)[0].field == "number"


def test_gr_parties() -> None:
    root = greek()
    remove(root, f"{SELLER}/cac:PartyName")
    remove(root, f"{BUYER}/cac:PartyName")
    first(root, f"{SELLER}/cbc:EndpointID").set("schemeID", "0088")
    assert national(root, "GR-") == {"GR-R-002", "GR-R-005", "GR-R-009"}


def test_gr_r003_and_s011_vat_prefix() -> None:
    root = greek()
    text(root, SELLER_VAT, "GR061828591")  # GR still makes a Greek seller, but EL is required
    text(root, "cbc:ID", "061828591|13/11/2017|1|1.1|A|B")
    assert {"GR-R-003", "GR-S-011"} <= national(root, "GR-")
    assert findings(root, "GR-S-011")[0].severity is Severity.WARNING


def test_gr_mark_and_invoice_url() -> None:
    root = greek()
    text(root, "cac:AdditionalDocumentReference/cbc:ID", "0123")
    assert national(root, "GR-") == {"GR-R-004-2"}
    url = document_reference(root, "##INVOICE|URL##", "url2")
    expected = {"GR-R-004-2", "GR-R-008-2", "GR-R-008-3", "GR-S-008-1"}
    assert national(root, "GR-") == expected
    url.getparent().remove(url)
    remove(root, "cac:AdditionalDocumentReference")
    assert national(root, "GR-") == {"GR-R-004-1", "GR-S-008-1"}
    text(root, SELLER_COUNTRY, "CY")  # the MARK rules also need a Greek address
    assert national(root, "GR-") == set()


def test_gr_greek_buyer() -> None:
    root = greek()
    text(root, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID", "EL061828592")
    assert national(root, "GR-") == {"GR-R-006", "GR-R-010"}
    text(root, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID", "EL061828591")
    endpoint = text(root, f"{BUYER}/cbc:EndpointID", "061828591")
    endpoint.set("schemeID", "9933")
    assert national(root, "GR-") == set()


# --- Italy ----------------------------------------------------------------------------------


def test_it_rules_go_by_the_vat_number() -> None:
    root = example(INVOICE)
    text(root, SELLER_VAT, "IT01234567897")
    assert national(root, "IT-") == set()
    for part in ("StreetName", "CityName", "PostalZone"):
        remove(root, f"{SELLER}/cac:PostalAddress/cbc:{part}")
    scheme = make("cac:PartyTaxScheme")
    registration = add(scheme, "cbc:CompanyID", "rss-mra")
    add(scheme, "cac:TaxScheme/cbc:ID", "TAX")
    first(root, f"{SELLER}/cac:PartyLegalEntity").addprevious(scheme)
    assert national(root, "IT-") == {"IT-R-001", "IT-R-002", "IT-R-003", "IT-R-004"}
    registration.text = "RSSMRA85T10A562S"
    assert "IT-R-001" not in national(root, "IT-")
