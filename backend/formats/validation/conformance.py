"""Agreement of the validator with the official validators' verdicts on the e-invoice corpus.

The corpus (``shared/einvoice-corpus``: ``verdicts.json``, ``unit-test-results.json``, the
documents and unit-test sets) is the yardstick: for whole documents the outcome (valid /
warning / invalid) and the exact set of fatal rule ids; for every unit-test case whether the
rule under test fires as fatal, as a warning, or stays silent as the official validator did.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .engine import XSD_RULE, validate
from .findings import Report

TESTSET_NS = "{http://difi.no/xsd/vefa/validator/1.0}"
UBL_ROOTS = (
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
)
# Official results to compare unit-test cases with (the Peppol rules of 2026.5, not 2025.5).
UNIT_VALIDATORS = ("EN16931-1.3.16", "PEPPOL-2026.5")
NOT_A_RULE = {XSD_RULE, "XSLT-DYNAMIC-ERROR"}


@dataclass(slots=True)
class DocumentResult:
    path: str
    official_outcome: str
    outcome: str
    official_fatal: frozenset[str]
    fatal: frozenset[str]
    compare_fatal: bool  # False where the official validator could not evaluate the document

    @property
    def outcome_ok(self) -> bool:
        return self.outcome == self.official_outcome

    @property
    def fatal_ok(self) -> bool:
        return not self.compare_fatal or (self.fatal - NOT_A_RULE) == (
            self.official_fatal - NOT_A_RULE
        )


@dataclass(slots=True)
class UnitCaseResult:
    path: str
    index: int
    rule: str
    official: str  # "fatal" | "warning" | "silent"
    ours: str

    @property
    def ok(self) -> bool:
        return self.official == self.ours


@dataclass(slots=True)
class Agreement:
    documents: list[DocumentResult] = field(default_factory=list)
    unit_cases: list[UnitCaseResult] = field(default_factory=list)

    @property
    def outcome_agreement(self) -> float:
        return _share(d.outcome_ok for d in self.documents)

    @property
    def fatal_set_agreement(self) -> float:
        return _share(d.fatal_ok for d in self.documents)

    @property
    def unit_case_agreement(self) -> float:
        return _share(c.ok for c in self.unit_cases)

    def mismatches(self) -> Iterator[str]:
        for d in self.documents:
            if not d.outcome_ok or not d.fatal_ok:
                missing = sorted((d.official_fatal - d.fatal) - NOT_A_RULE)
                extra = sorted((d.fatal - d.official_fatal) - NOT_A_RULE)
                yield (
                    f"{d.path}: outcome {d.outcome} (official {d.official_outcome}); "
                    f"missing {missing}, extra {extra}"
                )
        for c in self.unit_cases:
            if not c.ok:
                yield f"{c.path}#{c.index} {c.rule}: {c.ours} (official {c.official})"


def _share(oks: Iterator[bool] | list[bool]) -> float:
    values = list(oks)
    return sum(values) / len(values) if values else 0.0


def default_corpus() -> Path | None:
    """``PORTAL_EINVOICE_CORPUS``, else ``shared/einvoice-corpus`` beside the checkout."""
    configured = os.environ.get("PORTAL_EINVOICE_CORPUS")
    candidate = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[4] / "shared" / "einvoice-corpus"
    )
    return candidate if (candidate / "verdicts.json").is_file() else None


def measure(corpus: Path, *, documents: bool = True, unit_tests: bool = True) -> Agreement:
    agreement = Agreement()
    if documents:
        verdicts = json.loads((corpus / "verdicts.json").read_text())
        for path, verdict in sorted(verdicts.items()):
            if verdict.get("doc_type") == "testSet":
                continue
            report = validate((corpus / path).read_bytes())
            agreement.documents.append(_document_result(path, verdict, report))
    if unit_tests:
        results = json.loads((corpus / "unit-test-results.json").read_text())
        for path, expected in sorted(results.items()):
            agreement.unit_cases.extend(_unit_cases(corpus, path, expected))
    return agreement


def _document_result(path: str, verdict: dict, report: Report) -> DocumentResult:
    official = frozenset(verdict["fatal"])
    return DocumentResult(
        path=path,
        official_outcome=verdict["official_outcome"],
        outcome=report.outcome,
        official_fatal=official,
        fatal=frozenset(report.fatal_ids),
        compare_fatal="XSLT-DYNAMIC-ERROR" not in official,
    )


def rules_for_configuration(configuration: str) -> str:
    return "peppol" if configuration.startswith("peppolbis") else "en16931"


def unit_test_fragments(file: Path) -> Iterator[etree._Element]:
    """The UBL fragment of every ``<test>`` of a testSet, each as its own document root."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(file), parser).getroot()
    for test in root.iter(f"{TESTSET_NS}test"):
        ubl = next((el for el in test if el.tag in UBL_ROOTS), None)
        yield etree.fromstring(etree.tostring(ubl), parser) if ubl is not None else None


def _unit_cases(corpus: Path, path: str, expected: dict) -> Iterator[UnitCaseResult]:
    rules = rules_for_configuration(expected["configuration"])
    fragments = list(unit_test_fragments(corpus / path))
    for case in expected["case_results"]:
        fragment = fragments[case["index"]]
        official_fatal: set[str] = set()
        official_warning: set[str] = set()
        for name, result in case["results"].items():
            if name in UNIT_VALIDATORS:
                official_fatal.update(result["fired_fatal"])
                official_warning.update(result["fired_warning"])
        if fragment is None:
            continue
        report = validate(fragment, rules=rules, check_schema=False)
        fatal, warning = set(report.fatal_ids), set(report.warning_ids)
        for rule_ids in case["expect"].values():
            for rule_id in rule_ids:
                yield UnitCaseResult(
                    path,
                    case["index"],
                    rule_id,
                    _state(rule_id, official_fatal, official_warning),
                    _state(rule_id, fatal, warning),
                )


def _state(rule_id: str, fatal: set[str], warning: set[str]) -> str:
    if rule_id in fatal:
        return "fatal"
    return "warning" if rule_id in warning else "silent"
