"""The UBL 2.1 XSD check and ``invoice-portal schemas import``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from backend.cli import main
from backend.formats import xsd
from backend.formats.schemas_import import SchemaImportError, import_schemas
from backend.formats.xml_safety import parse_ubl

from .conftest import EXAMPLES, XSD_DIR

pytestmark = pytest.mark.usefixtures("corpus")

VALID_INVOICE = EXAMPLES / "peppol" / "Vat-category-S.xml"
VALID_CREDIT_NOTE = EXAMPLES / "peppol" / "base-creditnote-correction.xml"


@pytest.fixture(autouse=True)
def no_configured_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PORTAL_UBL_XSD_DIR", raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PORTAL_LANGUAGE", "en")
    return data_dir


def _official_zip(path: Path, top: str = "os-UBL-2.1/", extra: dict[str, bytes] | None = None):
    """A zip laid out like the OASIS release (``os-UBL-2.1/xsd/...``), from the corpus copy."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top}README.html", b"<html/>")
        for file in sorted(XSD_DIR.rglob("*.xsd")):
            archive.write(file, f"{top}xsd/{file.relative_to(XSD_DIR).as_posix()}")
            # the runtime copies in xsdrt/ are not what is taken
            archive.writestr(f"{top}xsdrt/{file.relative_to(XSD_DIR).as_posix()}", b"junk")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


def test_without_schemas_the_check_is_skipped(no_configured_schemas: Path) -> None:
    assert xsd.schema_dir() is None
    assert xsd.schema_dir(no_configured_schemas) is None
    assert xsd.xsd_errors(parse_ubl(VALID_INVOICE.read_bytes())) is None


def test_a_configured_directory_without_schemas_counts_as_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_UBL_XSD_DIR", str(tmp_path / "nowhere"))
    assert xsd.schema_dir() is None


def test_valid_invoice_and_credit_note(xsd_dir: Path) -> None:
    assert xsd.schema_dir() == xsd_dir
    assert xsd.xsd_errors(parse_ubl(VALID_INVOICE.read_bytes())) == []
    assert xsd.xsd_errors(parse_ubl(VALID_CREDIT_NOTE.read_bytes())) == []


def test_errors_are_readable_with_line_numbers(xsd_dir: Path) -> None:
    text = VALID_INVOICE.read_text(encoding="utf-8")
    broken = text.replace("<cbc:IssueDate>", "<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>", 1)
    line = broken[: broken.index("<cbc:Bogus>")].count("\n") + 1
    errors = xsd.xsd_errors(parse_ubl(broken.encode()))
    assert errors
    assert errors[0].startswith(f"line {line}: ")
    assert "Bogus" in errors[0]


def test_a_credit_note_is_checked_against_the_credit_note_schema(xsd_dir: Path) -> None:
    # InvoicedQuantity belongs to the Invoice schema; a CreditNote line must use CreditedQuantity.
    text = VALID_CREDIT_NOTE.read_text(encoding="utf-8")
    text = text.replace("CreditedQuantity", "InvoicedQuantity")
    errors = xsd.xsd_errors(parse_ubl(text.encode()))
    assert errors and "InvoicedQuantity" in errors[0]


def test_compiled_schemas_are_cached(xsd_dir: Path) -> None:
    first = xsd.load_schema(xsd_dir, xsd.INVOICE_ROOT)
    assert xsd.load_schema(xsd_dir, xsd.INVOICE_ROOT) is first
    assert xsd.load_schema(xsd_dir, xsd.CREDIT_NOTE_ROOT) is not first


@pytest.mark.parametrize("top", ["os-UBL-2.1/", ""], ids=["official-layout", "xsd-at-top"])
def test_import_official_zip(tmp_path: Path, no_configured_schemas: Path, top: str) -> None:
    archive = _official_zip(tmp_path / "UBL-2.1.zip", top)
    directory = import_schemas(archive, no_configured_schemas)
    assert directory == no_configured_schemas / "schemas" / "ubl-2.1"
    assert sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")) == sorted(
        [p.relative_to(XSD_DIR).as_posix() for p in XSD_DIR.rglob("*")]
    )
    assert (directory / "common" / "UBL-CommonAggregateComponents-2.1.xsd").read_bytes() == (
        XSD_DIR / "common" / "UBL-CommonAggregateComponents-2.1.xsd"
    ).read_bytes()
    assert xsd.schema_dir() == directory
    assert xsd.xsd_errors(parse_ubl(VALID_INVOICE.read_bytes())) == []


def test_import_takes_only_schema_files_and_nothing_outside(
    tmp_path: Path, no_configured_schemas: Path
) -> None:
    hostile = {
        "../escaped.xsd": b"<x/>",
        "/abs/xsd/common/absolute.xsd": b"<x/>",
        "os-UBL-2.1/xsd/common/../../../escaped2.xsd": b"<x/>",
        "os-UBL-2.1/xsd/common/notes.txt": b"not a schema",
        "os-UBL-2.1/xsd/common/sub/deeper.xsd": b"<x/>",
        "os-UBL-2.1\\xsd\\common\\backslash.xsd": b"<x/>",
    }
    archive = _official_zip(tmp_path / "UBL-2.1.zip", extra=hostile)
    directory = import_schemas(archive, no_configured_schemas)
    names = {p.name for p in directory.rglob("*")}
    assert not names & {"escaped.xsd", "absolute.xsd", "escaped2.xsd", "notes.txt", "deeper.xsd"}
    assert not any("backslash" in name for name in names)
    assert not list(tmp_path.rglob("escaped*.xsd"))
    assert all(p.suffix == ".xsd" for p in directory.rglob("*") if p.is_file())


def test_reimport_replaces_the_schemas(tmp_path: Path, no_configured_schemas: Path) -> None:
    archive = _official_zip(tmp_path / "UBL-2.1.zip")
    directory = import_schemas(archive, no_configured_schemas)
    (directory / "common" / "stale.xsd").write_bytes(b"<x/>")
    assert import_schemas(archive, no_configured_schemas) == directory
    assert not (directory / "common" / "stale.xsd").exists()
    assert xsd.xsd_errors(parse_ubl(VALID_INVOICE.read_bytes())) == []


def test_import_refuses_what_is_not_the_release(
    tmp_path: Path, no_configured_schemas: Path
) -> None:
    not_zip = tmp_path / "UBL-2.1.zip"
    not_zip.write_bytes(b"PK but not really")
    with pytest.raises(SchemaImportError, match="not a zip file"):
        import_schemas(not_zip, no_configured_schemas)
    with pytest.raises(SchemaImportError, match="Cannot read"):
        import_schemas(tmp_path / "missing.zip", no_configured_schemas)

    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("xsd/common/UBL-CommonBasicComponents-2.1.xsd", b"<x/>")
    with pytest.raises(SchemaImportError, match=r"does not hold the UBL 2\.1 schemas"):
        import_schemas(other, no_configured_schemas)

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name in xsd.MAINDOC_FILES.values():
            archive.writestr(f"xsd/{name}", b"<not-a-schema/>")
    with pytest.raises(SchemaImportError, match="do not compile"):
        import_schemas(broken, no_configured_schemas)
    assert not (no_configured_schemas / "schemas" / "ubl-2.1").exists()


def test_import_caps_the_size(
    tmp_path: Path, no_configured_schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.formats import schemas_import

    monkeypatch.setattr(schemas_import, "MAX_FILE_BYTES", 100_000)  # the aggregate xsd is 2.4 MB
    with pytest.raises(SchemaImportError, match="more schema data"):
        import_schemas(_official_zip(tmp_path / "UBL-2.1.zip"), no_configured_schemas)
    assert not (no_configured_schemas / "schemas" / "ubl-2.1").exists()


def test_cli_schemas_import_then_validate_uses_them(
    tmp_path: Path, no_configured_schemas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _official_zip(tmp_path / "UBL-2.1.zip")
    assert main(["schemas", "import", str(archive)]) == 0
    out = capsys.readouterr().out
    assert str(no_configured_schemas / "schemas" / "ubl-2.1") in out

    broken = tmp_path / "unknown-element.xml"
    broken.write_text(
        VALID_INVOICE.read_text(encoding="utf-8").replace(
            "<cbc:IssueDate>", "<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>", 1
        ),
        encoding="utf-8",
    )
    status = main(["validate", "--json", str(broken)])
    captured = capsys.readouterr()
    assert status == 1
    assert "UBL-XSD" in captured.out
    assert "skipped" not in captured.err


def test_cli_schemas_import_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "import", str(tmp_path / "missing.zip")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("invoice-portal: Cannot read")
    assert err.count("\n") == 1
