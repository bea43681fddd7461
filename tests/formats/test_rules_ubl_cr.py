"""UBL-CR: elements and attributes an EN 16931 UBL document should not carry."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from backend.formats.validation import Severity, validate
from backend.formats.validation.document import NS_CREDIT_NOTE, NS_INVOICE
from backend.formats.validation.registry import RULES
from backend.formats.validation.rules.ubl_cr_data import FATAL, FORBIDDEN, SPECIAL

from .conftest import CORPUS
from .test_rules_ubl_support import (
    CREDIT_NOTE,
    INVOICE,
    NS,
    add,
    example,
    findings,
    fired,
    first,
    make,
    needs_corpus,
)

# Paths from the root that end like a path from anywhere: both rules fire on such an element.
ALSO_ANYWHERE = {
    "UBL-CR-430": {"UBL-CR-664"},
    "UBL-CR-431": {"UBL-CR-664"},
    "UBL-CR-633": {"UBL-CR-669"},
    "UBL-CR-634": {"UBL-CR-670"},
    "UBL-CR-635": {"UBL-CR-671"},
}


def test_the_table_holds_the_678_ids_of_en16931_1_3_16() -> None:
    numbers = {int(rule_id[-3:]) for rule_id in (*FORBIDDEN, *SPECIAL)}
    assert len(FORBIDDEN) + len(SPECIAL) == 678
    assert set(range(1, 683)) - numbers == {120, 423, 536, 631}
    registered = {r.id: r.severity for r in RULES if r.id.startswith("UBL-CR-")}
    assert len(registered) == 678
    assert {i for i, s in registered.items() if s is Severity.FATAL} == set(FATAL)


def _document_with(path: str, kind: str) -> etree._Element:
    """An otherwise empty document holding only ``path`` (with the attribute, if it ends in one)."""
    root = etree.Element(f"{{{NS_INVOICE if kind == 'Invoice' else NS_CREDIT_NOTE}}}{kind}")
    line = "cac:InvoiceLine" if kind == "Invoice" else "cac:CreditNoteLine"
    element, _, attribute = path.replace("{line}", line).partition("/@")
    element = element.lstrip("/") or "cbc:Note"  # an attribute anywhere: put it on a note
    leaf = add(root, element, "x")
    if attribute:
        leaf.set(attribute, "x")
    return root


@pytest.mark.parametrize("rule_id", sorted(FORBIDDEN))
def test_each_rule_of_the_table_fires_on_its_own_path_and_no_other_does(rule_id: str) -> None:
    path = FORBIDDEN[rule_id]
    for kind in ("Invoice", "CreditNote") if "{line}" in path else ("Invoice",):
        got = fired(_document_with(path, kind), "UBL-CR-", rules="en16931")
        assert got == {rule_id} | ALSO_ANYWHERE.get(rule_id, set()), kind


@needs_corpus
def test_a_finding_names_the_element_and_is_put_on_it() -> None:
    root = example(INVOICE)
    first(root, "cbc:IssueDate").addprevious(make("cbc:UUID", "1"))
    (finding,) = findings(root, "UBL-CR-005")
    assert finding.severity is Severity.WARNING
    assert finding.path == "/Invoice/cbc:UUID"
    assert finding.params == {"element": "cbc:UUID"}
    assert finding.message.format(**finding.params) == (
        "A UBL document should not contain cbc:UUID."
    )


@needs_corpus
def test_an_attribute_is_reported_on_its_element_with_the_domain_field() -> None:
    root = example(INVOICE)
    first(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID").set(
        "schemeID", "VA"
    )
    (finding,) = findings(root, "UBL-CR-652")
    assert finding.path.endswith("cac:PartyTaxScheme/cbc:CompanyID")
    assert finding.field == "seller.vat_number"


@needs_corpus
def test_a_line_rule_is_about_the_line_and_only_from_the_root() -> None:
    root = example(INVOICE)
    lines = root.findall("cac:InvoiceLine", NS)
    add(lines[-1], "cac:TaxTotal/cbc:TaxAmount", "1.00", currencyID="EUR")
    (finding,) = findings(root, "UBL-CR-561")
    assert finding.field == f"lines[{len(lines) - 1}]"
    # cbc:UUID is forbidden at the root and in a line, not in a delivery.
    add(first(root, "cac:Delivery"), "cbc:UUID", "1")
    assert fired(root, "UBL-CR-") == {"UBL-CR-561"}


@needs_corpus
def test_ubl_version_2_1_or_none() -> None:
    root = example(INVOICE)
    version = make("cbc:UBLVersionID", "2.1")
    first(root, "cbc:CustomizationID").addprevious(version)
    assert findings(root, "UBL-CR-002") == []
    version.text = "2.2"
    assert len(findings(root, "UBL-CR-002")) == 1
    version.text = " 2.1"  # compared as it is written
    assert len(findings(root, "UBL-CR-002")) == 1


@needs_corpus
def test_a_due_date_in_the_payment_means_is_only_for_credit_notes() -> None:
    invoice = example(INVOICE)
    add(first(invoice, "cac:PaymentMeans"), "cbc:PaymentDueDate", "2017-12-01")
    (finding,) = findings(invoice, "UBL-CR-412")
    assert finding.field == "due_date"
    credit_note = example(CREDIT_NOTE)
    add(first(credit_note, "cac:PaymentMeans"), "cbc:PaymentDueDate", "2017-12-01")
    assert findings(credit_note, "UBL-CR-412") == []


def _reference(root: etree._Element, type_code: str | None, **id_attributes: str):
    reference = add(root, "cac:AdditionalDocumentReference")
    add(reference, "cbc:ID", "REF-1", **id_attributes)
    if type_code is not None:
        add(reference, "cbc:DocumentTypeCode", type_code)
    return reference


@needs_corpus
def test_only_an_invoiced_object_identifier_carries_a_scheme() -> None:
    root = example(INVOICE)
    _reference(root, "130", schemeID="AAA")
    assert findings(root, "UBL-CR-665") == []
    root = example(INVOICE)
    _reference(root, None, schemeID="AAA")
    assert len(findings(root, "UBL-CR-665")) == 1


@needs_corpus
def test_an_invoiced_object_identifier_has_no_attachment_nor_description() -> None:
    root = example(INVOICE)
    reference = _reference(root, "130", schemeID="AAA")
    add(reference, "cac:Attachment/cac:ExternalReference/cbc:URI", "https://example.com/a")
    add(reference, "cbc:DocumentDescription", "The object")
    report = validate(root, check_schema=False, strict=True)
    assert {f.rule for f in report.fatal} >= {"UBL-CR-666", "UBL-CR-673"}
    root = example(INVOICE)
    reference = _reference(root, None)
    add(reference, "cac:Attachment/cac:ExternalReference/cbc:URI", "https://example.com/a")
    add(reference, "cbc:DocumentDescription", "A timesheet")
    assert fired(root, "UBL-CR-6") == set()


@needs_corpus
def test_the_corpus_documents_get_the_official_ubl_cr_findings() -> None:
    verdicts = json.loads((CORPUS / "verdicts.json").read_text())
    wrong = {}
    for path, verdict in sorted(verdicts.items()):
        if verdict.get("doc_type") == "testSet" or "XSLT-DYNAMIC-ERROR" in verdict["fatal"]:
            continue
        root = etree.parse(str(CORPUS / path)).getroot()
        report = validate(root, check_schema=False)
        ours = {f.rule for f in report.findings if f.rule.startswith("UBL-CR-")}
        official = {i for i in verdict["fatal"] + verdict["warning"] if i.startswith("UBL-CR-")}
        if ours != official:
            wrong[path] = (sorted(ours - official), sorted(official - ours))
    assert wrong == {}
