"""``invoice-portal validate``: the JSON contract, the readable report and the exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.cli import main

from .conftest import CORPUS, XSD_DIR

VALID = CORPUS / "examples" / "peppol" / "Vat-category-S.xml"

pytestmark = pytest.mark.skipif(not VALID.is_file(), reason="the e-invoice corpus is not here")


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORTAL_UBL_XSD_DIR", str(XSD_DIR))
    monkeypatch.setenv("PORTAL_LANGUAGE", "en")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def _broken_total(tmp_path: Path) -> Path:
    """The valid example with its payable amount changed: BR-CO-16 must fire."""
    text = VALID.read_text(encoding="utf-8")
    start = text.index("<cbc:PayableAmount")
    end = text.index("</cbc:PayableAmount>", start)
    head = text[:start] + text[start:end].rsplit(">", 1)[0] + ">99999.99"
    path = tmp_path / "wrong-total.xml"
    path.write_text(head + text[end:], encoding="utf-8")
    return path


def _official(path: str) -> dict:
    return json.loads((CORPUS / "verdicts.json").read_text())[path]


def test_json_contract_for_valid_invalid_and_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _broken_total(tmp_path)
    missing = tmp_path / "missing.xml"
    status, out, _ = _run(["validate", "--json", str(VALID), str(broken), str(missing)], capsys)
    assert status == 1
    results = json.loads(out)
    assert [r["file"] for r in results] == [str(VALID), str(broken), str(missing)]
    assert set(results[0]) == {"file", "valid", "fatal", "warning"}
    official = _official("examples/peppol/Vat-category-S.xml")
    assert results[0]["valid"] is (official["official_outcome"] != "invalid")
    assert results[0]["fatal"] == sorted(official["fatal"])
    assert results[1]["valid"] is False
    assert "BR-CO-16" in results[1]["fatal"]
    assert results[2] == {
        "file": str(missing),
        "valid": False,
        "fatal": ["FILE-UNREADABLE"],
        "warning": [],
    }


def test_all_valid_exits_0_with_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(["validate", str(VALID)], capsys)
    assert status == 0
    assert out.startswith(f"{VALID}: valid")
    assert err == ""


def test_readable_report_names_rule_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(["validate", str(_broken_total(tmp_path))], capsys)
    assert status == 1
    assert ": invalid (" in out
    assert "BR-CO-16" in out


@pytest.mark.parametrize(
    ("content", "fatal_id"),
    [
        (b"<Invoice", "XML-NOT-WELL-FORMED"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "XML-BINARY"),
        (b"<order xmlns='urn:example'/>", "XML-NOT-UBL"),
    ],
)
def test_unparsable_files_are_invalid_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, fatal_id: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    status, out, _ = _run(["validate", "--json", str(path)], capsys)
    assert status == 1
    assert json.loads(out) == [
        {"file": str(path), "valid": False, "fatal": [fatal_id], "warning": []}
    ]


def test_schema_violation_is_ubl_xsd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.read_text(encoding="utf-8")
    path = tmp_path / "unknown-element.xml"
    path.write_text(
        text.replace(
            "<cbc:IssueDate>", "<cbc:NoSuchElement>x</cbc:NoSuchElement><cbc:IssueDate>", 1
        ),
        encoding="utf-8",
    )
    status, out, _ = _run(["validate", "--json", str(path)], capsys)
    assert status == 1
    assert "UBL-XSD" in json.loads(out)[0]["fatal"]


def test_without_schemas_the_check_is_skipped_and_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORTAL_UBL_XSD_DIR")
    status, out, err = _run(["validate", "--json", str(VALID), str(VALID)], capsys)
    assert err.count("XSD check is skipped") == 1
    assert [r["file"] for r in json.loads(out)] == [str(VALID), str(VALID)]
    assert status in (0, 1)


def test_forced_rule_sets(capsys: pytest.CaptureFixture[str]) -> None:
    """``--rules en16931`` leaves the Peppol and national rules out."""
    status, out, _ = _run(["validate", "--json", "--rules", "en16931", str(VALID)], capsys)
    fatal = json.loads(out)[0]["fatal"]
    assert not [rule for rule in fatal if rule.startswith(("PEPPOL-", "SE-R-", "NL-R-"))]
    assert status == 0


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["validate"], capsys)[0] == 2
    assert _run(["validate", "--rules", "nonsense", str(VALID)], capsys)[0] == 2
