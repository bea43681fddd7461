"""The Peppol and national rules against the official Peppol BIS 3.0 (2026.5) validator: on
every unit-test fragment of the Peppol sets and on every corpus document, the ids of these
families that fire (fatal and warning) are exactly those the official validator fired.

This is stricter than the corpus measure, which compares only the rule under test of a
unit-test case and the fatal ids of documents the Peppol rules apply to."""

from __future__ import annotations

import json

import pytest

from backend.formats.validation import validate
from backend.formats.validation.conformance import unit_test_fragments

from .conftest import CORPUS, needs_corpus, verdicts
from .test_rules_peppol_support import PEPPOL_PREFIXES

pytestmark = needs_corpus
PEPPOL = "PEPPOL-EN16931-UBL-2026.5"


def _ours(source) -> tuple[set[str], set[str]]:
    report = validate(source, rules="peppol", check_schema=False, strict=True)
    fatal = {r for r in report.fatal_ids if r.startswith(PEPPOL_PREFIXES)}
    warning = {r for r in report.warning_ids if r.startswith(PEPPOL_PREFIXES)}
    return fatal, warning


def _official(fatal: list[str], warning: list[str]) -> tuple[set[str], set[str]]:
    return (
        {r for r in fatal if r.startswith(PEPPOL_PREFIXES)},
        {r for r in warning if r.startswith(PEPPOL_PREFIXES)},
    )


def test_every_peppol_unit_test_fragment_fires_what_the_official_validator_fired() -> None:
    results = json.loads((CORPUS / "unit-test-results.json").read_text(encoding="utf-8"))
    compared, differences = 0, []
    for path, expected in sorted(results.items()):
        fragments = list(unit_test_fragments(CORPUS / path))
        for case in expected["case_results"]:
            official = case["results"].get("PEPPOL-2026.5")
            fragment = fragments[case["index"]]
            if official is None or fragment is None:
                continue
            compared += 1
            ours = _ours(fragment)
            theirs = _official(official["fired_fatal"], official["fired_warning"])
            if ours != theirs:
                differences.append((path, case["index"], ours, theirs))
    assert compared > 300
    assert differences == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p, v in verdicts().items() if v.get("doc_type") != "testSet")
    if (CORPUS / "verdicts.json").is_file()
    else [],
)
def test_every_corpus_document_fires_what_the_official_peppol_validator_fired(path: str) -> None:
    official = verdicts()[path]["by_validator"][PEPPOL]
    assert _ours((CORPUS / path).read_bytes()) == _official(official["fatal"], official["warning"])
