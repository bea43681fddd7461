"""Shared paths and fixtures of the format tests: the e-invoice corpus and its UBL 2.1 schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from backend.formats.validation.conformance import default_corpus

# PORTAL_EINVOICE_CORPUS, else shared/einvoice-corpus beside the checkout.
CORPUS = default_corpus() or Path(__file__).resolve().parents[3] / "shared" / "einvoice-corpus"
XSD_DIR = CORPUS / "xsd" / "ubl-2.1"
EXAMPLES = CORPUS / "examples"
HAS_CORPUS = (CORPUS / "verdicts.json").is_file() and XSD_DIR.is_dir()

needs_corpus = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")


@cache
def verdicts() -> dict[str, dict]:
    """verdicts.json: per corpus path (``examples/...``) the official validators' verdict."""
    return json.loads((CORPUS / "verdicts.json").read_text(encoding="utf-8"))


def valid_examples() -> list[str]:
    """Corpus documents that the official validators do not call invalid and that pass the XSD."""
    if not HAS_CORPUS:
        return []
    return sorted(
        path
        for path, verdict in verdicts().items()
        if path.startswith("examples/")
        and verdict["official_outcome"] != "invalid"
        and verdict["xsd_ok"]
    )


@pytest.fixture
def corpus() -> Path:
    if not HAS_CORPUS:
        pytest.skip("the e-invoice corpus is not here")
    return CORPUS


@pytest.fixture
def xsd_dir(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PORTAL_UBL_XSD_DIR pointed at the corpus copy of the UBL 2.1 schemas."""
    monkeypatch.setenv("PORTAL_UBL_XSD_DIR", str(XSD_DIR))
    return XSD_DIR
