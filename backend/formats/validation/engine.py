"""Run the rules over a document and collect the findings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...domain.errors import N_
from . import rules as _rules  # noqa: F401  (registers every rule)
from .document import Element, UblDoc
from .fields import field_for_path, line_index
from .findings import Finding, Report, RuleSet, Severity
from .registry import RULES_BY_ID, Hit, Rule, groups_for, rules_for
from .selection import rule_sets_for

if TYPE_CHECKING:
    from ...domain.invoice import Invoice

XSD_RULE = "UBL-XSD"
INTERNAL_ERROR_RULE = "VALIDATOR-ERROR"


def validate(
    source: bytes | Element,
    *,
    rules: str = "auto",
    check_schema: bool = True,
    max_bytes: int | None = None,
    strict: bool = False,
    schema_directory: Path | None = None,
) -> Report:
    """Validate a UBL document (bytes from anywhere, or a parsed root element).

    Unreadable input is one fatal finding whose rule id says why (``XML-NOT-WELL-FORMED``, ...);
    a document against the UBL 2.1 schema gets ``UBL-XSD`` (when the schemas are available, see
    ``formats.xsd``; ``schema_directory`` overrides where they are). ``strict`` lets a failing
    rule raise instead of reporting it (tests).
    """
    if isinstance(source, bytes | bytearray):
        from ..xml_safety import DEFAULT_MAX_BYTES, XmlReadError, parse_ubl

        try:
            root = parse_ubl(bytes(source), max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        except XmlReadError as error:
            finding = Finding(error.code, Severity.FATAL, error.message, "/", None, error.params)
            return Report([finding], frozenset())
    else:
        root = source
    doc = UblDoc(root, frozenset())
    doc.rule_sets = rule_sets_for(doc.customization_id, rules)
    findings: list[Finding] = []
    if check_schema:
        findings.extend(_schema_findings(root, schema_directory))
    findings.extend(run_rules(doc, strict=strict))
    return Report(findings, doc.rule_sets, doc.customization_id)


def run_rules(doc: UblDoc, *, strict: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    # The hot loop: hundreds of rules per document, most of them finding nothing.
    for rule in rules_for(doc.rule_sets):
        try:
            for hit in rule.check(doc):  # type: ignore[misc]  (rules_for: never None)
                findings.append(_finding(doc, rule, hit))
        except Exception:
            if strict:
                raise
            findings.append(_not_evaluated(doc, rule.id))
    for group in groups_for(doc.rule_sets):
        try:
            for rule_id, hit in group.check(doc):
                findings.append(_finding(doc, RULES_BY_ID[rule_id], hit))
        except Exception:
            if strict:
                raise
            findings.append(_not_evaluated(doc, group.check.__name__))
    return findings


def _finding(doc: UblDoc, rule: Rule, hit: Element | Hit) -> Finding:
    if not isinstance(hit, Hit):
        hit = Hit(hit)
    element = hit.element if hit.element is not None else doc.root
    path = doc.path_of(element)
    field = hit.field or rule.field
    if field and "{line}" in field:
        index = line_index(path)
        field = field.replace("{line}", str(index)) if index is not None else None
    return Finding(
        rule.id, rule.severity, rule.message, path, field or field_for_path(path), hit.params
    )


def _not_evaluated(doc: UblDoc, rule_id: str) -> Finding:
    return Finding(
        INTERNAL_ERROR_RULE,
        Severity.FATAL,
        N_("Rule {rule} could not be evaluated on this document."),
        "/" + doc.root_name,
        params={"rule": rule_id},
    )


def _schema_findings(root: Element, directory: Path | None) -> list[Finding]:
    from ..xsd import xsd_errors

    errors = xsd_errors(root, directory=directory)
    if not errors:
        return []
    return [
        Finding(
            XSD_RULE,
            Severity.FATAL,
            N_("The document does not conform to the UBL 2.1 schema: {detail}"),
            "/",
            params={"detail": errors[0]},
        )
    ]


def validate_invoice(invoice: Invoice, *, rules: str = "peppol") -> Report:
    """Validate a domain invoice as the portal would send it (written as Peppol BIS 3 UBL)."""
    from ..ubl_writer import build_ubl

    return validate(build_ubl(invoice), rules=rules, check_schema=False)


__all__ = [
    "INTERNAL_ERROR_RULE",
    "XSD_RULE",
    "RuleSet",
    "validate",
    "validate_invoice",
]
