"""``invoice-portal render FILE.xml --pdf OUT.pdf [--lang] --csv OUT.csv``: outputs and exit
statuses (0 done, 1 unreadable file with one translated line, 2 usage)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from backend.cli import main
from backend.domain.invoice import Invoice
from backend.formats.csv_export import CSV_COLUMNS
from backend.formats.ubl_writer import write_ubl
from backend.i18n import translator

from .conftest import EXAMPLES, needs_corpus
from .invoice_samples import credit_note, dutch_invoice, swedish_invoice

CORPUS_INVOICE = EXAMPLES / "peppol" / "Vat-category-S.xml"
CORPUS_CREDIT_NOTE = EXAMPLES / "peppol" / "base-creditnote-correction.xml"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORTAL_LANGUAGE", "en")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def _pdf_text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().replace("\xa0", " ").split()) for page in pages)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


@needs_corpus
def test_corpus_invoice_to_pdf_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf, table = tmp_path / "out.pdf", tmp_path / "out.csv"
    status, out, err = _run(
        ["render", str(CORPUS_INVOICE), "--pdf", str(pdf), "--csv", str(table)], capsys
    )
    assert (status, out, err) == (0, "", "")
    xml = CORPUS_INVOICE.read_text(encoding="utf-8")
    number = xml.split("<cbc:ID>", 1)[1].split("<", 1)[0]
    text = _pdf_text(pdf)
    assert "Invoice" in text and number in text and "Page 1 of 1" in text
    rows = _csv_rows(table)
    assert rows and all(row["invoice_number"] == number for row in rows)
    assert len(rows) == xml.count("<cac:InvoiceLine>")


@needs_corpus
def test_corpus_credit_note_in_swedish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "credit.pdf"
    status, _, _ = _run(
        ["render", str(CORPUS_CREDIT_NOTE), "--pdf", str(pdf), "--lang", "sv"], capsys
    )
    assert status == 0
    sv = translator("sv")
    text = _pdf_text(pdf)
    assert sv("Credit note") in text and sv("Amount to be credited") in text
    assert not (tmp_path / "credit.csv").exists()


def test_own_document_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "acme.xml"
    source.write_bytes(write_ubl(swedish_invoice(lines=12)))
    table = tmp_path / "acme.csv"
    status, _, _ = _run(["render", str(source), "--csv", str(table)], capsys)
    assert status == 0
    rows = _csv_rows(table)
    assert [row["line_id"] for row in rows] == [str(n) for n in range(1, 13)]
    assert rows[0]["buyer_name"] == "Nordisk Bygg AB" and rows[0]["currency"] == "SEK"
    assert not (tmp_path / "acme.pdf").exists()


def test_unreadable_files_end_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_pdf = tmp_path / "never.pdf"
    missing = tmp_path / "missing.xml"
    status, out, err = _run(["render", str(missing), "--pdf", str(out_pdf)], capsys)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and str(missing) in err
    not_xml = tmp_path / "binary.xml"
    not_xml.write_bytes(b"\x00\x01\x02PK\x03\x04 not xml at all")
    status, out, err = _run(["render", str(not_xml), "--pdf", str(out_pdf)], capsys)
    assert status == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("invoice-portal: ")
    assert not out_pdf.exists()


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "acme.xml"
    source.write_bytes(write_ubl(swedish_invoice(lines=1)))
    status, _, err = _run(["render", str(source)], capsys)  # neither --pdf nor --csv
    assert status == 2 and "--pdf" in err
    status, _, _ = _run(["render", str(source), "--pdf", "x.pdf", "--lang", "de"], capsys)
    assert status == 2
    status, _, _ = _run(["render"], capsys)
    assert status == 2


@pytest.mark.parametrize(
    "sample", [swedish_invoice, dutch_invoice, credit_note], ids=lambda f: f.__name__
)
def test_the_samples_rendered_here_are_valid_peppol_documents(
    sample: Callable[[], Invoice], xsd_dir: Path
) -> None:
    """The UBL 2.1 XSD check included (``xsd_dir``)."""
    from backend.formats.validation import validate

    report = validate(write_ubl(sample()))
    assert (report.fatal_ids, report.warning_ids) == ([], [])
