"""Helpers shared by the UBL syntax and SI-UBL rule tests (corpus documents to change, the
findings of one rule), and the check that the documents they start from break none of those
rules."""

from __future__ import annotations

import pytest
from lxml import etree

from backend.formats.validation import Finding, validate
from backend.formats.validation.document import NAMESPACES, clark

from .conftest import EXAMPLES, HAS_CORPUS

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
NS = dict(NAMESPACES)


def example(name: str) -> etree._Element:
    """A corpus document (``examples/<name>``), parsed afresh so a test may change it."""
    return etree.parse(str(EXAMPLES / name), _PARSER).getroot()


def first(root: etree._Element, path: str) -> etree._Element:
    """The element at ``path`` (``cac:A/cbc:B``, below the root); the test fails without it."""
    found = root.find(path, NS)
    assert found is not None, path
    return found


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


def findings(root: etree._Element, rule_id: str, rules: str = "auto") -> list[Finding]:
    """What ``rule_id`` reports on ``root`` (all rules run; one that crashes fails the test)."""
    report = validate(root, rules=rules, check_schema=False, strict=True)
    return [f for f in report.findings if f.rule == rule_id]


def fired(root: etree._Element, prefix: str, rules: str = "auto") -> set[str]:
    """The ids starting with ``prefix`` that fire on ``root``."""
    report = validate(root, rules=rules, check_schema=False, strict=True)
    return {f.rule for f in report.findings if f.rule.startswith(prefix)}


# Officially valid corpus documents without warnings, that the tests change one element of.
INVOICE = "peppol/Vat-category-S.xml"
CREDIT_NOTE = "peppol/base-creditnote-correction.xml"
DUTCH = "nlcius-si-ubl-2.0/SI-UBL-2.0_ok_minimal.xml"
DUTCH_FULL = "nlcius-si-ubl-2.0/SI-UBL-2.0_ok_full.xml"

needs_corpus = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")
FAMILIES = ("UBL-SR-", "UBL-CR-", "UBL-DT-", "BR-NL-", "SI-UBL-")


@needs_corpus
@pytest.mark.parametrize("name", [INVOICE, CREDIT_NOTE, DUTCH, DUTCH_FULL])
def test_the_documents_the_tests_start_from_break_none_of_these_rules(name: str) -> None:
    report = validate(example(name), check_schema=False, strict=True)
    assert [f.rule for f in report.findings if f.rule.startswith(FAMILIES)] == []
