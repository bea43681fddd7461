"""UBL-DT: amounts with two decimals, attachments with MIME code and file name, and attributes a
UBL document should not use."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from backend.formats.validation import Severity, validate
from backend.formats.validation.registry import RULES

from .conftest import CORPUS
from .test_rules_ubl_support import (
    INVOICE,
    NS,
    add,
    example,
    findings,
    fired,
    first,
    needs_corpus,
)

pytestmark = needs_corpus


def test_three_fatal_and_twenty_one_warnings() -> None:
    rules = {r.id: r.severity for r in RULES if r.id.startswith("UBL-DT-")}
    assert len(rules) == 24
    assert {i for i, s in rules.items() if s is Severity.FATAL} == {
        "UBL-DT-01",
        "UBL-DT-06",
        "UBL-DT-07",
    }


def test_an_amount_with_three_decimals() -> None:
    root = example(INVOICE)
    first(root, "cac:TaxTotal/cbc:TaxAmount").text = "1225.000"
    (finding,) = findings(root, "UBL-DT-01")
    assert finding.params == {"amount": "1225.000"}
    assert finding.path == "/Invoice/cac:TaxTotal/cbc:TaxAmount"


def test_prices_and_their_discounts_may_have_more_decimals() -> None:
    root = example(INVOICE)
    price = first(root, "cac:InvoiceLine/cac:Price")
    first(price, "cbc:PriceAmount").text = "410.1234"
    assert findings(root, "UBL-DT-01") == []
    discount = add(price, "cac:AllowanceCharge")
    add(discount, "cbc:ChargeIndicator", "false")
    add(discount, "cbc:Amount", "0.125", currencyID="EUR")
    add(discount, "cbc:BaseAmount", "410.2484", currencyID="EUR")
    assert findings(root, "UBL-DT-01") == []
    # An allowance of the line itself has two decimals at most.
    allowance = add(first(root, "cac:InvoiceLine"), "cac:AllowanceCharge")
    add(allowance, "cbc:Amount", "1.005", currencyID="EUR")
    assert len(findings(root, "UBL-DT-01")) == 1


def test_an_attachment_states_mime_code_and_file_name() -> None:
    root = example(INVOICE)
    reference = add(root, "cac:AdditionalDocumentReference")
    add(reference, "cbc:ID", "Timesheet")
    binary = add(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject", "aGVsbG8=")
    assert fired(root, "UBL-DT-0") == {"UBL-DT-06", "UBL-DT-07"}
    binary.set("mimeCode", "application/pdf")
    binary.set("filename", "timesheet.pdf")
    assert fired(root, "UBL-DT-0") == set()


@pytest.mark.parametrize(
    ("rule_id", "attribute"),
    [("UBL-DT-08", "schemeName"), ("UBL-DT-19", "languageID"), ("UBL-DT-27", "schemeAgencyID")],
)
def test_attributes_that_are_not_used(rule_id: str, attribute: str) -> None:
    root = example(INVOICE)
    lines = root.findall("cac:InvoiceLine", NS)
    first(lines[-1], "cbc:ID").set(attribute, "x")
    (finding,) = findings(root, rule_id)
    assert finding.severity is Severity.WARNING
    assert finding.params == {"attribute": attribute}
    assert finding.field == f"lines[{len(lines) - 1}].id"


def test_an_attribute_on_the_root_counts() -> None:
    root = example(INVOICE)
    root.set("languageID", "en")
    assert len(findings(root, "UBL-DT-19")) == 1


def test_the_name_attribute_only_on_the_payment_means_code() -> None:
    root = example(INVOICE)
    assert first(root, "cac:PaymentMeans/cbc:PaymentMeansCode").get("name")
    assert findings(root, "UBL-DT-18") == []
    first(root, "cbc:DocumentCurrencyCode").set("name", "Euro")
    (finding,) = findings(root, "UBL-DT-18")
    assert finding.path == "/Invoice/cbc:DocumentCurrencyCode"


def test_the_corpus_documents_get_the_official_ubl_dt_findings() -> None:
    verdicts = json.loads((CORPUS / "verdicts.json").read_text())
    wrong = {}
    for path, verdict in sorted(verdicts.items()):
        if verdict.get("doc_type") == "testSet" or "XSLT-DYNAMIC-ERROR" in verdict["fatal"]:
            continue
        report = validate(etree.parse(str(CORPUS / path)).getroot(), check_schema=False)
        ours = {f.rule for f in report.findings if f.rule.startswith("UBL-DT-")}
        official = {i for i in verdict["fatal"] + verdict["warning"] if i.startswith("UBL-DT-")}
        if ours != official:
            wrong[path] = (sorted(ours), sorted(official))
    assert wrong == {}
