"""SI-UBL 2.0 (NLCIUS): the Dutch rules BR-NL-* and the empty-element warning SI-UBL-2."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from backend.formats.validation import RuleSet, Severity, validate
from backend.formats.validation.registry import RULES

from .conftest import CORPUS
from .test_rules_ubl_support import (
    DUTCH,
    NS,
    add,
    example,
    findings,
    fired,
    first,
    make,
    needs_corpus,
    remove,
)

pytestmark = needs_corpus

SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def _foreign_seller(root: etree._Element) -> None:
    first(root, SELLER + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode").text = "BE"


def test_the_rules_belong_to_the_nlcius_rule_set() -> None:
    rules = {r.id: r for r in RULES if r.id.startswith(("BR-NL-", "SI-UBL-"))}
    assert {r.rule_set for r in rules.values()} == {RuleSet.NLCIUS}
    fatal = {i for i, r in rules.items() if r.severity is Severity.FATAL}
    assert fatal == {f"BR-NL-{n}" for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13)}
    # BR-NL-32-2 and -3 are never reached officially (BR-NL-32-1's context catches them first).
    assert "BR-NL-32-1" in rules
    assert not {"BR-NL-32-2", "BR-NL-32-3"} & rules.keys()


def test_a_dutch_seller_needs_a_kvk_or_oin_number() -> None:
    root = example(DUTCH)
    company_id = first(root, SELLER + "/cac:PartyLegalEntity/cbc:CompanyID")
    company_id.set("schemeID", "0190")
    assert findings(root, "BR-NL-1") == []
    company_id.set("schemeID", "0007")
    (finding,) = findings(root, "BR-NL-1")
    assert finding.field == "seller.legal_id"
    assert finding.severity is Severity.FATAL
    company_id.set("schemeID", "0106")
    company_id.text = "  "
    assert len(findings(root, "BR-NL-1")) == 1
    _foreign_seller(root)
    assert findings(root, "BR-NL-1") == []


def test_the_dutch_rules_need_the_nlcius_customization() -> None:
    root = example(DUTCH)
    remove(root, SELLER + "/cac:PartyLegalEntity/cbc:CompanyID")
    assert fired(root, "BR-NL-") == {"BR-NL-1"}
    first(root, "cbc:CustomizationID").text = PEPPOL
    assert fired(root, "BR-NL-") == set()  # a Peppol document: the NLCIUS rules do not run
    # Forced to NLCIUS, the rules still ask the CustomizationID, as the official ones do.
    assert fired(root, "BR-NL-", rules="nlcius") == set()
    first(
        root, "cbc:CustomizationID"
    ).text = "  urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0\n"
    assert fired(root, "BR-NL-") == {"BR-NL-1"}


def test_buyer_reference_or_order_reference() -> None:
    root = example(DUTCH)
    remove(root, "cac:OrderReference")
    (finding,) = findings(root, "BR-NL-2")
    assert finding.field == "buyer_reference"
    add(root, "cbc:BuyerReference", "47806")
    assert findings(root, "BR-NL-2") == []


def test_dutch_addresses_are_complete() -> None:
    root = example(DUTCH)
    remove(root, SELLER + "/cac:PostalAddress/cbc:CityName")
    remove(root, BUYER + "/cac:PostalAddress/cbc:PostalZone")
    assert fired(root, "BR-NL-") == {"BR-NL-3", "BR-NL-4"}
    # A buyer abroad needs no full address; one without a country is held to the Dutch rule.
    first(root, BUYER + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode").text = "DE"
    assert findings(root, "BR-NL-4") == []
    remove(root, BUYER + "/cac:PostalAddress/cac:Country")
    assert len(findings(root, "BR-NL-4")) == 1


@pytest.mark.parametrize(
    ("name", "type_code", "expected"),
    [
        (DUTCH, "380", set()),
        (DUTCH, "389", set()),
        (DUTCH, "381", {"BR-NL-8"}),
        (DUTCH, "326", {"BR-NL-7"}),
        (DUTCH, "384", {"BR-NL-9"}),
    ],
)
def test_invoice_type_codes(name: str, type_code: str, expected: set[str]) -> None:
    root = example(name)
    first(root, "cbc:InvoiceTypeCode").text = type_code
    assert fired(root, "BR-NL-") == expected


def test_the_type_code_found_is_in_the_message() -> None:
    root = example(DUTCH)
    first(root, "cbc:InvoiceTypeCode").text = "326"
    (finding,) = findings(root, "BR-NL-7")
    assert finding.message.format(**finding.params).endswith("found 326.")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SI-UBL-2.0_BR-NL-8_ok_381.xml", set()),
        ("SI-UBL-2.0_BR-NL-8_error_CN_not_381.xml", {"BR-NL-8"}),
        ("SI-UBL-2.0_BR-NL-8_error_CN_not_381_2.xml", {"BR-NL-7", "BR-NL-8"}),
    ],
)
def test_a_credit_note_has_type_code_381(name: str, expected: set[str]) -> None:
    assert fired(example(f"nlcius-si-ubl-2.0/{name}"), "BR-NL-") == expected


def test_a_corrective_invoice_references_the_corrected_one() -> None:
    root = example(DUTCH)
    first(root, "cbc:InvoiceTypeCode").text = "384"
    reference = make("cac:BillingReference")
    first(root, "cac:OrderReference").addnext(reference)
    add(reference, "cac:InvoiceDocumentReference/cbc:ID", "12115117")
    assert fired(root, "BR-NL-") == set()


def test_a_dutch_buyer_needs_a_kvk_or_oin_number() -> None:
    root = example(DUTCH)
    company_id = first(root, BUYER + "/cac:PartyLegalEntity/cbc:CompanyID")
    company_id.set("schemeID", "0088")
    (finding,) = findings(root, "BR-NL-10")
    assert finding.field == "buyer.legal_id"
    first(root, BUYER + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode").text = "BE"
    assert findings(root, "BR-NL-10") == []
    company_id.text = ""  # an empty identifier is wrong wherever the buyer is
    assert len(findings(root, "BR-NL-10")) == 1


def test_payment_means_when_the_buyer_pays() -> None:
    root = example(DUTCH)
    remove(root, "cac:PaymentMeans")
    (finding,) = findings(root, "BR-NL-11")
    assert finding.field == "payment_means"
    first(root, "cac:LegalMonetaryTotal/cbc:PayableAmount").text = "0.00"
    assert findings(root, "BR-NL-11") == []


def test_dutch_payment_means_codes_and_sepa() -> None:
    root = example(DUTCH)
    code = first(root, "cac:PaymentMeans/cbc:PaymentMeansCode")
    code.text = "31"
    assert fired(root, "BR-NL-") == {"BR-NL-12"}
    code.text = "58"
    assert fired(root, "BR-NL-") == set()
    account = first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount")
    add(account, "cac:FinancialInstitutionBranch/cbc:ID", "BANKNL2A")
    assert fired(root, "BR-NL-") == {"BR-NL-31"}
    code.set("name", "SEPA credit transfer")
    assert fired(root, "BR-NL-") == {"BR-NL-29", "BR-NL-31"}


def test_an_order_line_reference_needs_the_order_reference_for_any_seller() -> None:
    root = example(DUTCH)
    _foreign_seller(root)
    add(first(root, "cac:InvoiceLine"), "cac:OrderLineReference/cbc:LineID", "1")
    assert findings(root, "BR-NL-13") == []
    remove(root, "cac:OrderReference")
    (finding,) = findings(root, "BR-NL-13")
    assert finding.field == "order_reference"


@pytest.mark.parametrize(
    ("path", "rule_id"),
    [
        ("cbc:TaxPointDate", "BR-NL-20"),
        ("cac:InvoicePeriod/cbc:DescriptionCode", "BR-NL-21"),
        (SELLER + "/cac:PartyLegalEntity/cbc:CompanyLegalForm", "BR-NL-26"),
        (SELLER + "/cac:PostalAddress/cac:AddressLine/cbc:Line", "BR-NL-27-1"),
        (BUYER + "/cac:PostalAddress/cbc:CountrySubentity", "BR-NL-28-2"),
        ("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name", "BR-NL-30"),
        ("cac:InvoiceLine/cac:AllowanceCharge/cbc:AllowanceChargeReasonCode", "BR-NL-32-1"),
    ],
)
def test_what_a_dutch_invoice_should_leave_out(path: str, rule_id: str) -> None:
    root = example(DUTCH)
    parent = root
    steps = path.split("/")
    while len(steps) > 1 and parent.find(steps[0], NS) is not None:  # reuse what is there
        parent = parent.find(steps.pop(0), NS)
    add(parent, "/".join(steps), "1")
    (finding,) = findings(root, rule_id)
    assert finding.severity is Severity.WARNING
    assert fired(root, "BR-NL-") == {rule_id}
    _foreign_seller(root)
    assert fired(root, "BR-NL-") == set()


def test_vat_in_another_currency_and_exemption_codes() -> None:
    root = example(DUTCH)
    first(root, "cac:TaxTotal/cbc:TaxAmount").set("currencyID", "USD")
    assert fired(root, "BR-NL-") == {"BR-NL-33"}


def test_empty_elements() -> None:
    root = example(DUTCH)
    add(root, "cbc:Note", " \n ")
    add(first(root, SELLER), "cac:PartyName/cbc:Name")
    found = findings(root, "SI-UBL-2")
    assert sorted(f.path for f in found) == [
        "/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name",
        "/Invoice/cbc:Note",
    ]
    assert {f.severity for f in found} == {Severity.WARNING}


def test_an_empty_element_an_earlier_dutch_rule_is_about_is_not_reported_twice() -> None:
    root = example(DUTCH)
    add(root, "cbc:TaxPointDate")
    assert {f.rule for f in validate(root, check_schema=False).findings} >= {"BR-NL-20"}
    assert findings(root, "SI-UBL-2") == []
    _foreign_seller(root)  # no Dutch rule is about it now
    assert len(findings(root, "SI-UBL-2")) == 1


@pytest.mark.parametrize("folder", ["nlcius-si-ubl-2.0", "peppol-nl"])
def test_the_corpus_documents_get_the_official_dutch_findings(folder: str) -> None:
    verdicts = json.loads((CORPUS / "verdicts.json").read_text())
    families = ("BR-NL-", "SI-UBL-")
    wrong = {}
    for path, verdict in sorted(verdicts.items()):
        if not path.startswith(f"examples/{folder}/"):
            continue
        report = validate(etree.parse(str(CORPUS / path)).getroot(), check_schema=False)
        ours = (
            {i for i in report.fatal_ids if i.startswith(families)},
            {i for i in report.warning_ids if i.startswith(families)},
        )
        official = (
            {i for i in verdict["fatal"] if i.startswith(families)},
            {i for i in verdict["warning"] if i.startswith(families)},
        )
        if ours != official:
            wrong[path] = (ours, official)
    assert wrong == {}
