"""Helpers for the EN 16931 rule tests (corpus documents to change, the rules that fire), and the
check that the documents they start from break none of the EN 16931 rules."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from lxml import etree

from backend.formats.validation import Finding, RuleSet, Severity, validate
from backend.formats.validation.conformance import unit_test_fragments
from backend.formats.validation.document import NAMESPACES, clark
from backend.formats.validation.registry import RULES
from backend.i18n import translator

from .conftest import EXAMPLES, HAS_CORPUS

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
NS = dict(NAMESPACES)
EN16931 = re.compile(r"^BR-(\d|CO-|DEC-|S-|Z-|E-|AE-|IC-|G-|O-|AF-|AG-|B-|CL-)")

# Documents the official EN 16931 rules accept, each showing other features.
FULL = "en16931/ubl-tc434-example2.xml"  # allowances, charges, payee, tax representative, S + E
CREDIT_NOTE = "nlcius-si-ubl-2.0/SI-UBL-2.0_BR-NL-8_ok_381.xml"
NOT_SUBJECT = "en16931-testfiles/BIS_Billing_30-Forskott_(ej_moms).xml"  # category O
REVERSE_CHARGE = "en16931-testfiles/BIS_Billing_30-OmvandSkattskyldighet.xml"  # category AE
SPLIT_PAYMENT = "en16931/FT_G2G_TD01_con_Allegato_Bonifico_e_Split_Payment.xml"  # category B
BASES = (FULL, CREDIT_NOTE, NOT_SUBJECT, REVERSE_CHARGE, SPLIT_PAYMENT)

Edit = Callable[[etree._Element], object]


def example(name: str) -> etree._Element:
    """A corpus document (``examples/<name>``), parsed afresh so a test may change it."""
    return etree.parse(str(EXAMPLES / name), _PARSER).getroot()


def first(root: etree._Element, path: str) -> etree._Element:
    """The first element at XPath ``path`` below ``root``; the test fails without one."""
    found = every(root, path)
    assert found, path
    return found[0]


def every(root: etree._Element, path: str) -> list[etree._Element]:
    return root.xpath(path, namespaces=NS)


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
    found = every(root, path)
    assert found, path
    for el in found:
        el.getparent().remove(el)


def set_text(root: etree._Element, path: str, text: str) -> None:
    first(root, path).text = text


def rm(path: str) -> Edit:
    return lambda root: remove(root, path)


def text(path: str, value: str) -> Edit:
    return lambda root: set_text(root, path, value)


def no_attribute(path: str, name: str) -> Edit:
    return lambda root: first(root, path).attrib.pop(name)


def no_reason(path: str) -> Edit:
    def edit(root) -> None:
        for name in ("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode"):
            for el in every(root, f"{path}/{name}"):
                el.getparent().remove(el)

    return edit


def added(parent: str, path: str, value: str | None = None) -> Edit:
    return lambda root: add(first(root, parent), path, value)


def added_after(sibling: str, name: str, value: str | None = None) -> Edit:
    return lambda root: first(root, sibling).addnext(make(name, value))


def fired(root: etree._Element, rules: str = "en16931") -> set[str]:
    """The EN 16931 rule ids (fatal or warning) that fire on ``root``; a rule crash fails."""
    report = validate(root, rules=rules, check_schema=False, strict=True)
    return {f.rule for f in report.findings if EN16931.match(f.rule)}


def findings(root: etree._Element, rule_id: str, rules: str = "en16931") -> list[Finding]:
    report = validate(root, rules=rules, check_schema=False, strict=True)
    return [f for f in report.findings if f.rule == rule_id]


def changed(base: str, edit: Edit) -> etree._Element:
    root = example(base)
    edit(root)
    return root


@pytest.mark.parametrize("base", BASES)
def test_the_starting_documents_break_no_en16931_rule(base: str) -> None:
    assert fired(example(base)) == set()


def test_an_unchanged_credit_note_is_clean_under_si_ubl_too() -> None:
    assert fired(example(CREDIT_NOTE), rules="nlcius") == set()


def _expected_ids() -> set[str]:
    core = [*range(1, 34), 36, 37, 38, *range(41, 58), *range(61, 66)]
    ids = {f"BR-{n:02d}" for n in core}
    # BR-CO-05 .. 08 are true() in the official rules; BR-CO-25 belongs to SI-UBL only
    ids |= {f"BR-CO-{n:02d}" for n in (3, 4, *range(9, 27))}
    # BR-DEC-13 and 15 never fire in the official UBL binding
    ids |= {f"BR-DEC-{n:02d}" for n in (1, 2, 5, 6, 9, 10, 11, 12, 14, 16, 17, 18, 19, 20)}
    ids |= {f"BR-DEC-{n:02d}" for n in (23, 24, 25, 27, 28)}
    for prefix in ("S", "Z", "E", "AE", "IC", "G", "O", "AF", "AG"):
        ids |= {f"BR-{prefix}-{n:02d}" for n in range(1, 11)}
    ids |= {"BR-IC-11", "BR-IC-12", "BR-O-11", "BR-O-12", "BR-O-13", "BR-O-14"}
    ids |= {"BR-B-01", "BR-B-02"}
    ids |= {f"BR-CL-{n:02d}" for n in (1, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18)}
    ids |= {f"BR-CL-{n:02d}" for n in range(19, 27)}
    return ids


def test_every_en16931_rule_is_registered_once_with_its_official_severity() -> None:
    mine = [r for r in RULES if EN16931.match(r.id)]
    ids = [r.id for r in mine]
    assert len(ids) == len(set(ids))
    assert set(ids) == _expected_ids()
    assert {r.id for r in mine if r.severity is Severity.WARNING} == {"BR-51"}
    assert {r.id for r in mine if r.rule_set is not RuleSet.EN16931} == {"BR-CO-25"}
    assert all(r.message and r.message.strip() == r.message for r in mine)


@pytest.mark.parametrize("locale", ["en", "nl", "sv"])
def test_every_finding_renders_with_all_its_parameters(locale: str) -> None:
    t = translator(locale)
    rendered = 0
    for path in sorted((EXAMPLES.parent / "unit-tests").glob("*/*.xml")):
        for fragment in unit_test_fragments(path):
            if fragment is None:
                continue
            report = validate(fragment, rules="peppol", check_schema=False, strict=True)
            for finding in report.findings:
                if EN16931.match(finding.rule):
                    text = finding.render(t)
                    assert text and "{" not in text, (finding.rule, text)
                    rendered += 1
    assert rendered > 1000
