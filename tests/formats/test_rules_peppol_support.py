"""Helpers for the Peppol and national rule tests (corpus documents to change, the findings of
one rule), and the check that the documents they start from break no Peppol rule."""

from __future__ import annotations

import pytest
from lxml import etree

from backend.formats.validation import Finding, validate
from backend.formats.validation.document import NAMESPACES, clark

from .conftest import EXAMPLES, HAS_CORPUS

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
NS = dict(NAMESPACES)
PEPPOL_PREFIXES = ("PEPPOL", "NL-", "SE-", "DE-", "DK-", "NO-", "IS-", "GR-", "IT-")

INVOICE = "peppol/Vat-category-S.xml"  # valid Peppol invoice: GB seller, SE buyer, 3 lines
CREDIT_NOTE = "peppol/base-creditnote-correction.xml"
SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"
SELLER_COUNTRY = f"{SELLER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"
BUYER_COUNTRY = f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"
SELLER_VAT = f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID"
LINE = "cac:InvoiceLine"


def example(name: str) -> etree._Element:
    """A corpus document (``examples/<name>``), parsed afresh so a test may change it."""
    return etree.parse(str(EXAMPLES / name), _PARSER).getroot()


def first(root: etree._Element, path: str) -> etree._Element:
    """The element at ``path`` (``cac:A/cbc:B``, below ``root``); the test fails without it."""
    found = root.find(path, NS)
    assert found is not None, path
    return found


def every(root: etree._Element, path: str) -> list[etree._Element]:
    return root.findall(path, NS)


def make(name: str, text: str | None = None, **attributes: str) -> etree._Element:
    el = etree.Element(clark(name), attributes)
    el.text = text
    return el


def add(parent: etree._Element, path: str, text: str | None = None, **attributes: str):
    """Append the chain of elements ``cac:A/cbc:B`` below ``parent``; returns the last one."""
    for step in path.split("/"):
        parent.append(make(step))
        parent = parent[-1]
    parent.text = text
    for name, value in attributes.items():
        parent.set(name, value)
    return parent


def remove(root: etree._Element, path: str) -> None:
    for el in root.findall(path, NS):
        el.getparent().remove(el)


def text(root: etree._Element, path: str, value: str) -> etree._Element:
    el = first(root, path)
    el.text = value
    return el


def findings(root: etree._Element, rule_id: str) -> list[Finding]:
    """What ``rule_id`` reports on ``root`` with the Peppol rules (every rule runs, and a
    crashing rule fails the test)."""
    report = validate(root, rules="peppol", check_schema=False, strict=True)
    return [f for f in report.findings if f.rule == rule_id]


def fires(root: etree._Element, rule_id: str) -> bool:
    return bool(findings(root, rule_id))


def peppol_ids(root: etree._Element) -> set[str]:
    """Every Peppol or national rule id that fires (fatal or warning)."""
    report = validate(root, rules="peppol", check_schema=False, strict=True)
    return {f.rule for f in report.findings if f.rule.startswith(PEPPOL_PREFIXES)}


@pytest.mark.parametrize("name", [INVOICE, CREDIT_NOTE])
def test_the_documents_the_tests_start_from_break_no_peppol_rule(name: str) -> None:
    assert peppol_ids(example(name)) == set()
