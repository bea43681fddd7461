"""The validator against the official validators' verdicts on the whole e-invoice corpus.

Targets (issue 4): document outcome agreement 100 %, fatal rule set agreement at least 98 %,
unit-test case agreement at least 98 %. Run alone with ``pytest -m conformance``.
"""

from __future__ import annotations

import pytest

from backend.formats.validation.conformance import default_corpus, measure

OUTCOME_TARGET = 1.0
FATAL_SET_TARGET = 0.98
UNIT_CASE_TARGET = 0.98


@pytest.mark.conformance
def test_the_validator_agrees_with_the_official_validators(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = default_corpus()
    if corpus is None:
        pytest.skip("the e-invoice corpus is not here")
    monkeypatch.setenv("PORTAL_UBL_XSD_DIR", str(corpus / "xsd" / "ubl-2.1"))
    agreement = measure(corpus)
    figures = (
        f"outcome {agreement.outcome_agreement:.2%}, fatal set "
        f"{agreement.fatal_set_agreement:.2%}, unit cases {agreement.unit_case_agreement:.2%}"
    )
    mismatches = "\n".join(agreement.mismatches())
    assert len(agreement.documents) > 100 and len(agreement.unit_cases) > 1000, figures
    assert agreement.outcome_agreement >= OUTCOME_TARGET, f"{figures}\n{mismatches}"
    assert agreement.fatal_set_agreement >= FATAL_SET_TARGET, f"{figures}\n{mismatches}"
    assert agreement.unit_case_agreement >= UNIT_CASE_TARGET, f"{figures}\n{mismatches}"
