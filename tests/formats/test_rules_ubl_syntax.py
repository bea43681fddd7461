"""UBL-SR: how often UBL elements may occur (all fatal)."""

from __future__ import annotations

import json
import re
from copy import deepcopy

import pytest
from lxml import etree

from backend.formats.validation import Severity, validate
from backend.formats.validation.conformance import (
    UNIT_VALIDATORS,
    rules_for_configuration,
    unit_test_fragments,
)
from backend.formats.validation.registry import RULES

from .conftest import CORPUS
from .test_rules_ubl_support import (
    CREDIT_NOTE,
    DUTCH_FULL,
    INVOICE,
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


def _doubled(root: etree._Element, path: str) -> etree._Element:
    """Put a copy of the element at ``path`` right after it; returns the copy."""
    original = first(root, path)
    copy = deepcopy(original)
    original.addnext(copy)
    return copy


def test_the_54_rules_of_en16931_1_3_16_are_fatal() -> None:
    rules = [r for r in RULES if r.id.startswith("UBL-SR-")]
    assert len(rules) == 54
    assert {r.severity for r in rules} == {Severity.FATAL}


def test_a_second_seller_name_is_reported_on_the_second() -> None:
    root = example(INVOICE)
    assert findings(root, "UBL-SR-09") == []
    _doubled(root, SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName")
    (finding,) = findings(root, "UBL-SR-09")
    assert finding.path.endswith("cac:PartyLegalEntity/cbc:RegistrationName[2]")
    assert finding.field == "seller.name"
    assert finding.severity is Severity.FATAL


def test_line_counts_are_per_line() -> None:
    root = example(INVOICE)
    remove(root, "cac:InvoiceLine/cbc:Note")
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) > 1
    for line in lines:
        add(line, "cbc:Note", "one note each")
    assert findings(root, "UBL-SR-34") == []
    add(lines[1], "cbc:Note", "a second note")
    (finding,) = findings(root, "UBL-SR-34")
    assert finding.field == "lines[1].note"


def test_each_line_has_exactly_one_vat_category() -> None:
    root = example(INVOICE)
    remove(root, "cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory")
    (finding,) = findings(root, "UBL-SR-48")
    assert finding.field == "lines[0].vat_category"
    root = example(INVOICE)
    _doubled(root, "cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory")
    assert len(findings(root, "UBL-SR-48")) == 1


def test_payment_means_share_one_code_and_one_remittance_information() -> None:
    root = example(INVOICE)
    second = _doubled(root, "cac:PaymentMeans")
    code = first(second, "cbc:PaymentMeansCode")
    del code.attrib["name"]
    assert fired(root, "UBL-SR-4") == set()  # the same code and reference twice: allowed
    first(second, "cbc:PaymentID").text = "another reference"
    assert fired(root, "UBL-SR-4") == {"UBL-SR-44"}
    code.set("name", "Credit transfer")
    assert fired(root, "UBL-SR-4") == {"UBL-SR-44", "UBL-SR-46"}
    code.text = "58"
    assert fired(root, "UBL-SR-4") == {"UBL-SR-44", "UBL-SR-46", "UBL-SR-47"}


def test_vat_identifiers_counted_by_tax_scheme() -> None:
    root = example(INVOICE)
    _doubled(root, SELLER + "/cac:PartyTaxScheme")
    assert fired(root, "UBL-SR-1") == {"UBL-SR-12"}
    root = example(INVOICE)
    scheme = _doubled(root, SELLER + "/cac:PartyTaxScheme")
    first(scheme, "cac:TaxScheme/cbc:ID").text = "FSKATT"
    assert fired(root, "UBL-SR-1") == set()  # one VAT identifier, one tax registration
    third = deepcopy(scheme)
    scheme.addnext(third)
    assert fired(root, "UBL-SR-") == {"UBL-SR-13", "UBL-SR-42"}


def test_a_tax_scheme_needs_its_identifier() -> None:
    root = example(INVOICE)
    remove(root, SELLER + "/cac:PartyTaxScheme/cbc:CompanyID")
    (finding,) = findings(root, "UBL-SR-53")
    assert finding.path.endswith(SELLER + "/cac:PartyTaxScheme")


@pytest.mark.parametrize(
    ("indicator", "rule_id"),
    [("false", "UBL-SR-30"), ("0", "UBL-SR-30"), ("true", "UBL-SR-31"), (" 1 ", "UBL-SR-31")],
)
def test_one_reason_per_allowance_or_charge(indicator: str, rule_id: str) -> None:
    root = example(INVOICE)
    allowance = add(root, "cac:AllowanceCharge")
    add(allowance, "cbc:ChargeIndicator", indicator)
    add(allowance, "cbc:AllowanceChargeReason", "one")
    assert fired(root, "UBL-SR-3") == set()
    add(allowance, "cbc:AllowanceChargeReason", "two")
    assert fired(root, "UBL-SR-3") == {rule_id}


def test_an_address_has_one_third_line() -> None:
    root = example(INVOICE)
    _doubled(root, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:AddressLine")
    (finding,) = findings(root, "UBL-SR-51")
    assert finding.path.endswith("cac:Address/cac:AddressLine[2]")


def _reference(root: etree._Element, type_code: str | None, scheme: str | None = None) -> None:
    reference = add(root, "cac:AdditionalDocumentReference")
    identifier = add(reference, "cbc:ID", "REF-1")
    if scheme:
        identifier.set("schemeID", scheme)
    if type_code is not None:
        add(reference, "cbc:DocumentTypeCode", type_code)


@pytest.mark.parametrize(
    ("name", "type_code", "scheme", "fires"),
    [
        (INVOICE, None, None, False),
        (INVOICE, "130", "AAA", False),
        (INVOICE, None, "AAA", True),
        (INVOICE, "916", None, True),
        (INVOICE, " 130 ", None, True),
        (INVOICE, "50", None, True),
        (CREDIT_NOTE, "50", None, False),
    ],
)
def test_document_type_codes_of_supporting_documents(
    name: str, type_code: str | None, scheme: str | None, fires: bool
) -> None:
    root = example(name)
    _reference(root, type_code, scheme)
    assert bool(findings(root, "UBL-SR-43")) is fires


def test_one_invoiced_object_identifier() -> None:
    root = example(INVOICE)
    _reference(root, "130")
    _reference(root, "130")
    assert len(findings(root, "UBL-SR-04")) == 1


def test_a_preceding_invoice_reference_needs_the_invoice_number() -> None:
    root = example(CREDIT_NOTE)
    remove(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
    (finding,) = findings(root, "UBL-SR-07")
    assert finding.field == "preceding_invoices"


def test_the_payee_must_not_be_the_seller() -> None:
    root = example(DUTCH_FULL)  # a payee with its own name
    assert fired(root, "UBL-SR-") == set()
    seller = first(root, SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName").text
    first(root, "cac:PayeeParty/cac:PartyName/cbc:Name").text = seller
    assert fired(root, "UBL-SR-") == {"UBL-SR-19", "UBL-SR-20", "UBL-SR-21"}


def test_card_and_mandate_once() -> None:
    root = example(INVOICE)
    means = first(root, "cac:PaymentMeans")
    for _ in range(2):
        means.append(make("cac:CardAccount"))
        add(means[-1], "cbc:PrimaryAccountNumberID", "1234")
    assert len(findings(root, "UBL-SR-54")) == 1


def _official(case: dict) -> tuple[set[str], set[str]]:
    fatal: set[str] = set()
    warning: set[str] = set()
    for name, result in case["results"].items():
        if name in UNIT_VALIDATORS:
            fatal.update(result["fired_fatal"])
            warning.update(result["fired_warning"])
    return fatal, warning


def test_the_official_unit_tests_of_ubl_sr_and_ubl_dt() -> None:
    results = json.loads((CORPUS / "unit-test-results.json").read_text())
    checked = 0
    for path, expected in sorted(results.items()):
        cases = [
            case
            for case in expected["case_results"]
            if any(i.startswith("UBL-") for ids in case["expect"].values() for i in ids)
        ]
        if not cases:
            continue
        fragments = list(unit_test_fragments(CORPUS / path))
        rules = rules_for_configuration(expected["configuration"])
        for case in cases:
            report = validate(fragments[case["index"]], rules=rules, check_schema=False)
            fatal, warning = _official(case)
            for rule_id in (i for ids in case["expect"].values() for i in ids):
                assert (rule_id in report.fatal_ids) is (rule_id in fatal), (path, case["index"])
                assert (rule_id in report.warning_ids) is (rule_id in warning)
                checked += 1
    assert checked == 16


def test_the_corpus_documents_get_the_official_ubl_sr_findings() -> None:
    verdicts = json.loads((CORPUS / "verdicts.json").read_text())
    wrong = {}
    for path, verdict in sorted(verdicts.items()):
        if verdict.get("doc_type") == "testSet":
            continue
        root = etree.parse(str(CORPUS / path)).getroot()
        ours = {f for f in validate(root, check_schema=False).fatal_ids if f.startswith("UBL-SR-")}
        official = {i for i in verdict["fatal"] if i.startswith("UBL-SR-")}
        if "XSLT-DYNAMIC-ERROR" in verdict["fatal"]:
            # The official validator stopped on these; the file name says what they break.
            named = re.search(r"_(UBL-SR-\d+)_", path)
            official = {named.group(1)} if named else official
        if ours != official:
            wrong[path] = (sorted(ours), sorted(official))
    assert wrong == {}
