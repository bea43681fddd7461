"""Invoices handed in as CSV (docs/csv-layout.md): good files read to the expected domain
values with either delimiter, every problem is one CsvReadError naming row and column, a read
invoice becomes valid Peppol UBL once the seller is filled in, and no bytes raise anything else."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domain.errors import ValidationError
from backend.domain.invoice import DocumentKind, ParticipantId, Party, PaymentMeans, VatExemption
from backend.domain.vat import VatCategory
from backend.formats import csv_invoice
from backend.formats.csv_invoice import COLUMNS, SHOWN_CHARS, CsvReadError, read_csv_invoices
from backend.formats.ubl_writer import write_ubl
from backend.formats.validation import validate

from .invoice_samples import _acme

DOC = Path(__file__).resolve().parents[2] / "docs" / "csv-layout.md"

HEAD = {
    "number": "F-1",
    "kind": "invoice",
    "issue_date": "2024-05-14",
    "due_date": "2024-06-13",
    "currency": "SEK",
    "buyer_name": "Nordisk Bygg AB",
    "buyer_org_id": "5567037485",
    "buyer_org_id_scheme": "0007",
    "buyer_vat_number": "SE556703748501",
    "buyer_peppol_id": "0007:5567037485",
    "buyer_street": "Hamngatan 12",
    "buyer_city": "Göteborg",
    "buyer_postal_code": "411 14",
    "buyer_country": "se",
    "buyer_reference": "Jörgen Ärlig",
    "order_reference": "PO-77812",
    "contract_reference": "AVTAL-117",
    "payment_terms": "30 dagar netto.\nDröjsmålsränta enligt räntelagen.",
    "note": "Tack för er beställning!",
    "category": "Konsulttjänster",
    "payment_reference": "4200420424",
}
LINE = {
    "line_name": "Konsulttimmar",
    "line_description": "",
    "line_note": "",
    "quantity": "12",
    "unit_code": "HUR",
    "net_price": "950.00",
    "base_quantity": "",
    "vat_category": "S",
    "vat_rate": "25",
    "vat_exemption_reason": "",
    "vat_exemption_code": "",
    "seller_item_id": "",
    "buyer_item_id": "",
    "line_period_start": "",
    "line_period_end": "",
}


def _rows() -> list[dict[str, str]]:
    """Two invoices: F-1 with three lines, F-2 (to another buyer) with two, interleaved."""
    second_head = HEAD | {
        "number": "F-2",
        "issue_date": "2024-05-15",
        "due_date": "",
        "buyer_name": "Café Müller AB",
        "buyer_org_id": "",
        "buyer_org_id_scheme": "",
        "buyer_vat_number": "SE556036079301",
        "buyer_peppol_id": "",
        "note": "",
        "payment_reference": "",
    }
    return [
        HEAD | LINE | {"seller_item_id": "ART-1", "line_note": "Enligt avtal"},
        HEAD
        | LINE
        | {
            "line_name": "Kaffe och bröd",
            "quantity": "-3",
            "unit_code": "h87",
            "net_price": "89.5",
            "vat_rate": "12",
            "line_description": 'Fika; två sorter,\r\nmed "extra" bröd',
        },
        second_head
        | LINE
        | {
            "line_name": "Export",
            "quantity": "2",
            "unit_code": "",
            "net_price": "100",
            "base_quantity": "10",
            "vat_category": "g",
            "vat_rate": "0",
            "buyer_item_id": "B-9",
        },
        HEAD
        | LINE
        | {
            "line_name": "Lokalhyra",
            "quantity": "1",
            "unit_code": "MON",
            "net_price": "8500",
            "line_period_start": "2024-05-01",
            "line_period_end": "2024-05-31",
        },
        second_head
        | LINE
        | {
            "line_name": "Utanför",
            "quantity": "1",
            "net_price": "0.125",
            "vat_category": "O",
            "vat_rate": "",
            "vat_exemption_reason": "Not subject to VAT",
        },
    ]


def _file(
    rows: list[dict[str, str]],
    delimiter: str = ",",
    *,
    bom: bool = True,
    columns: list | None = None,
) -> bytes:
    columns = columns or list(rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name.strip().lower(), "") for name in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_good_file_is_read_to_the_expected_invoices(delimiter: str) -> None:
    first, second = read_csv_invoices(_file(_rows(), delimiter, bom=delimiter == ","))

    assert first.kind is DocumentKind.INVOICE and first.number == "F-1"
    assert first.issue_date == date(2024, 5, 14) and first.due_date == date(2024, 6, 13)
    assert first.currency == "SEK"
    assert first.seller == Party()
    buyer = first.buyer
    assert (buyer.name, buyer.legal_id, buyer.legal_id_scheme) == (
        "Nordisk Bygg AB",
        "5567037485",
        "0007",
    )
    assert buyer.vat_number == "SE556703748501"
    assert buyer.endpoint == ParticipantId("0007", "5567037485")
    address = buyer.address
    assert (address.street, address.city, address.postal_code, address.country_code) == (
        "Hamngatan 12",
        "Göteborg",
        "411 14",
        "SE",
    )
    assert first.buyer_reference == "Jörgen Ärlig" and first.order_reference == "PO-77812"
    assert first.contract_reference == "AVTAL-117"
    assert first.payment_terms == "30 dagar netto.\nDröjsmålsränta enligt räntelagen."
    assert first.notes == ["Tack för er beställning!"]
    assert first.category == "Konsulttjänster"
    assert first.payment_means == [PaymentMeans(payment_reference="4200420424")]
    assert first.vat_exemptions == {}

    assert [line.id for line in first.lines] == ["1", "2", "3"]
    one, two, three = first.lines
    assert (one.name, one.quantity, one.unit_code, one.net_price) == (
        "Konsulttimmar",
        Decimal(12),
        "HUR",
        Decimal("950.00"),
    )
    assert (one.vat_category, one.vat_rate, one.base_quantity) == (
        VatCategory.STANDARD,
        Decimal(25),
        Decimal(1),
    )
    assert (one.seller_item_id, one.note) == ("ART-1", "Enligt avtal")
    assert (two.quantity, two.unit_code, two.net_price, two.vat_rate) == (
        Decimal(-3),
        "H87",
        Decimal("89.5"),
        Decimal(12),
    )
    assert two.description == 'Fika; två sorter,\nmed "extra" bröd'
    assert (three.name, three.period_start, three.period_end) == (
        "Lokalhyra",
        date(2024, 5, 1),
        date(2024, 5, 31),
    )

    assert second.number == "F-2" and second.due_date is None
    assert second.buyer.name == "Café Müller AB" and second.buyer.endpoint is None
    assert second.buyer.legal_id == "" and second.buyer.vat_number == "SE556036079301"
    assert second.payment_means == [] and second.notes == []
    export, outside = second.lines
    assert [export.id, outside.id] == ["1", "2"]
    assert export.unit_code == ""  # left for the substitution rules
    assert (export.vat_category, export.vat_rate, export.base_quantity) == (
        VatCategory.EXPORT,
        Decimal(0),
        Decimal(10),
    )
    assert export.buyer_item_id == "B-9"
    assert (outside.vat_category, outside.vat_rate, outside.net_price) == (
        VatCategory.OUTSIDE_SCOPE,
        None,
        Decimal("0.125"),
    )
    assert second.vat_exemptions == {
        VatCategory.EXPORT: VatExemption(code="VATEX-EU-G"),  # the default code
        VatCategory.OUTSIDE_SCOPE: VatExemption(reason="Not subject to VAT"),
    }


def test_both_delimiters_read_the_same_and_a_semicolon_file_takes_a_decimal_comma() -> None:
    rows = _rows()
    by_comma = read_csv_invoices(_file(rows, ","))
    rows[1]["net_price"] = "89,5"
    assert read_csv_invoices(_file(rows, ";", bom=False)) == by_comma


def test_columns_may_come_in_any_order_and_case_and_optional_ones_may_be_absent() -> None:
    columns = ["Line_Name ", "VAT_RATE", "vat_category", "net_price", "quantity"]
    columns += ["buyer_vat_number", "buyer_name", "currency", "issue_date", "number"]
    (invoice,) = read_csv_invoices(_file(_rows()[:2], columns=columns, bom=False) + b"\r\n\r\n")
    assert invoice.kind is DocumentKind.INVOICE
    assert [line.unit_code for line in invoice.lines] == ["", ""]
    assert invoice.buyer.vat_number == "SE556703748501" and invoice.buyer.endpoint is None


def test_a_trailing_delimiter_on_every_line_and_blank_rows_are_ignored() -> None:
    data = _file(_rows()[:1], ";").replace(b"\r\n", b";\r\n")
    data = data.replace(b"\r\n", b"\r\n;;;\r\n\r\n", 1)
    (invoice,) = read_csv_invoices(b"\r\n \r\n" + data.removeprefix(b"\xef\xbb\xbf"))
    assert invoice.number == "F-1" and len(invoice.lines) == 1


def test_a_credit_note_and_the_peppol_prefix() -> None:
    rows = [HEAD | LINE | {"kind": "Credit_Note", "buyer_peppol_id": _peppol_prefixed()}]
    (note,) = read_csv_invoices(_file(rows))
    assert note.kind is DocumentKind.CREDIT_NOTE and note.is_credit_note
    assert note.buyer.endpoint == ParticipantId("0007", "5567037485")


def _peppol_prefixed() -> str:
    return "iso6523-actorid-upis::0007:5567037485"


def _doc_example() -> bytes:
    match = re.search(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None
    return match[1].encode("utf-8")


def test_the_example_in_the_documentation_reads() -> None:
    first, second = read_csv_invoices(_doc_example())
    assert [first.number, second.number] == ["F-2024-1001", "F-2024-1002"]
    assert [line.name for line in first.lines] == [
        "Konsulttimmar",
        "Kaffe och bröd",
        'Facklitteratur; "Bygg rätt"',
    ]
    assert first.lines[1].net_price == Decimal("89.50")
    assert first.lines[2].unit_code == ""
    assert second.buyer.legal_id == "5560360793" and second.lines[0].unit_code == "MON"


def test_every_column_is_documented_and_the_documented_ones_exist() -> None:
    documented = re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert documented == [column.name for column in COLUMNS]


# --- the round trip -----------------------------------------------------------------------------


def test_a_read_invoice_with_the_seller_filled_in_is_valid_peppol_ubl() -> None:
    rows = _rows()
    # Peppol wants the buyer's electronic address and no O line beside other categories.
    rows[2]["buyer_peppol_id"] = rows[4]["buyer_peppol_id"] = "0007:5560360793"
    rows[4] |= {"vat_category": "G", "vat_rate": "0", "vat_exemption_reason": ""}
    invoices = read_csv_invoices(_file(rows, ";"))
    assert len(invoices) == 2
    for invoice in invoices:
        invoice.seller = _acme()
        for line in invoice.lines:
            line.unit_code = line.unit_code or "H87"  # as a substitution rule would
        if invoice.payment_means:
            invoice.payment_means[0].iban = "SE4550000000058398257466"
        report = validate(write_ubl(invoice), rules="peppol")
        assert report.fatal == [], [(f.rule, f.message) for f in report.fatal]


def test_the_documentation_example_is_valid_peppol_ubl_too() -> None:
    for invoice in read_csv_invoices(_doc_example()):
        invoice.seller = _acme()
        for line in invoice.lines:
            line.unit_code = line.unit_code or "H87"
        if invoice.payment_means:
            invoice.payment_means[0].iban = "SE4550000000058398257466"
        report = validate(write_ubl(invoice), rules="peppol")
        assert report.fatal == [], [(f.rule, f.message) for f in report.fatal]


# --- errors -------------------------------------------------------------------------------------


def _error(data: bytes, **kwargs: int) -> CsvReadError:
    with pytest.raises(CsvReadError) as caught:
        read_csv_invoices(data, **kwargs)
    error = caught.value
    assert isinstance(error, ValidationError)
    assert error.field == error.column
    error.render(lambda text: text)  # every placeholder has its parameter
    return error


def _extra_cell_in_row_2() -> bytes:
    records = _file(_rows()).split(b"\r\n")
    records[1] += b",x"  # row 2 has no CRLF inside a quoted cell
    return b"\r\n".join(records)


def _ids(value: object) -> str:
    return "file" if isinstance(value, bytes) else str(value)


def _with(row: int, **cells: str) -> bytes:
    """The good file (rows 2..6) with cells of one row (a row number of the file) changed."""
    rows = _rows()
    rows[row - 2] = rows[row - 2] | cells
    return _file(rows)


@pytest.mark.parametrize(
    ("data", "code", "row", "column"),
    [
        (b"", "CSV-EMPTY", None, None),
        (b"\xef\xbb\xbf \r\n\r\n", "CSV-EMPTY", None, None),
        (b";;;\r\n", "CSV-EMPTY", None, None),
        (b"number,issue\x00_date\r\n", "CSV-BINARY", None, None),
        ("number;köpare\r\n".encode("cp1252"), "CSV-NOT-UTF8", None, None),
        (b"F-1,2024-05-14,SEK\r\n", "CSV-NO-HEADER", None, None),
        (b"number,issue_date\r\n", "CSV-MISSING-COLUMN", None, "currency"),
        (_file(_rows(), columns=[*HEAD, *LINE, "vat_rte"]), "CSV-UNKNOWN-COLUMN", None, None),
        (_file(_rows(), columns=[*HEAD, "", *LINE]), "CSV-BAD-HEADER", None, None),
        (_file(_rows(), columns=[*HEAD, *LINE, "Number"]), "CSV-BAD-HEADER", None, "number"),
        (
            _file(_rows(), columns=[c for c in [*HEAD, *LINE] if c != "net_price"]),
            "CSV-MISSING-COLUMN",
            None,
            "net_price",
        ),
        (
            _file(_rows(), columns=[c for c in [*HEAD, *LINE] if not c.startswith("buyer_")]),
            "CSV-MISSING-COLUMN",
            None,
            None,
        ),
        (_file(_rows())[: _file(_rows()).index(b"\r\n") + 2], "CSV-NO-ROWS", None, None),
        (_with(3, issue_date="2024-02-30"), "CSV-BAD-VALUE", 3, "issue_date"),
        (_with(2, due_date="14-05-2024"), "CSV-BAD-VALUE", 2, "due_date"),
        (_with(4, line_period_end="2024-5-31"), "CSV-BAD-VALUE", 4, "line_period_end"),
        (_with(5, quantity="1,5"), "CSV-BAD-VALUE", 5, "quantity"),
        (_with(3, net_price="1 234.50"), "CSV-BAD-VALUE", 3, "net_price"),
        (_with(3, net_price="1e5"), "CSV-BAD-VALUE", 3, "net_price"),
        (_with(3, net_price="NaN"), "CSV-BAD-VALUE", 3, "net_price"),
        (_with(3, vat_rate="25%"), "CSV-BAD-VALUE", 3, "vat_rate"),
        (_with(4, base_quantity="0"), "CSV-BAD-VALUE", 4, "base_quantity"),
        (_with(2, vat_category="X"), "CSV-BAD-VALUE", 2, "vat_category"),
        (_with(6, vat_rate="0"), "CSV-BAD-VALUE", 6, "vat_rate"),
        (_with(2, vat_rate=""), "CSV-REQUIRED", 2, "vat_rate"),
        (_with(2, kind="bill"), "CSV-BAD-VALUE", 2, "kind"),
        (_with(2, currency="kronor"), "CSV-BAD-VALUE", 2, "currency"),
        (_with(2, buyer_country="Sverige"), "CSV-BAD-VALUE", 2, "buyer_country"),
        (_with(2, buyer_org_id_scheme="7"), "CSV-BAD-VALUE", 2, "buyer_org_id_scheme"),
        (_with(2, buyer_peppol_id="5567037485"), "CSV-BAD-VALUE", 2, "buyer_peppol_id"),
        (_with(3, number=""), "CSV-REQUIRED", 3, "number"),
        (_with(3, line_name=" "), "CSV-REQUIRED", 3, "line_name"),
        (_with(5, net_price=""), "CSV-REQUIRED", 5, "net_price"),
        (_with(4, buyer_name="Other AB"), "CSV-INCONSISTENT", 6, "buyer_name"),
        (_with(5, due_date="2024-07-01"), "CSV-INCONSISTENT", 5, "due_date"),
        (_with(2, kind="credit_note"), "CSV-INCONSISTENT", 3, "kind"),
        (
            _with(4, buyer_vat_number="", buyer_org_id="", buyer_peppol_id=""),
            "CSV-NO-BUYER-ID",
            None,
            None,
        ),
        (_with(2, buyer_name="x" * 201), "CSV-TOO-LONG", 2, "buyer_name"),
        (_with(2, unit_code="HOUR"), "CSV-TOO-LONG", 2, "unit_code"),
        (_with(2, number="N" * 51), "CSV-TOO-LONG", 2, "number"),
        (_with(3, line_name="a\nb"), "CSV-BAD-VALUE", 3, "line_name"),
        (_with(3, line_name="a\tb"), "CSV-BAD-VALUE", 3, "line_name"),
        (_with(3, line_note="bell\x07"), "CSV-BAD-VALUE", 3, "line_note"),
        (_file(_rows()) + b"F-1,extra\r\n", "CSV-CELL-COUNT", 7, None),
        (_extra_cell_in_row_2(), "CSV-CELL-COUNT", 2, None),
        (_file(_rows()) + b'"F-1,"x"y\r\n', "CSV-SYNTAX", 7, None),
        (_file(_rows()) + b'"F-1,open quote\r\n', "CSV-SYNTAX", 7, None),
    ],
    ids=_ids,
)
def test_every_problem_names_its_row_and_column(
    data: bytes, code: str, row: int | None, column: str | None
) -> None:
    error = _error(data)
    assert error.code == code, (error.code, str(error))
    if row is not None:
        assert error.row == row and error.params["row"] == row, str(error)
        assert f"Row {row}" in str(error)
    if column is not None:
        assert error.column == column, str(error)
        assert column in str(error)


def test_messages_name_the_row_column_and_value() -> None:
    error = _error(_with(3, issue_date="2024-13-01"))
    assert str(error) == "Row 3: “2024-13-01” in column issue_date is not a date (YYYY-MM-DD)."
    assert error.message == "Row {row}: “{value}” in column {column} is not a date (YYYY-MM-DD)."
    assert error.params == {"row": 3, "column": "issue_date", "value": "2024-13-01"}

    error = _error(_with(4, buyer_name="Other AB"))
    assert (error.row, error.params["first_row"], error.params["number"]) == (6, 4, "F-2")
    assert str(error) == (
        "Row 6: column buyer_name is “Café Müller AB” here but “Other AB” in row 4;"
        " every row of invoice F-2 must repeat the same value."
    )


def test_the_unknown_column_and_a_missing_buyer_id_are_named() -> None:
    error = _error(_file(_rows(), columns=[*HEAD, *LINE, "vat_rte"]))
    assert error.params["value"] == "vat_rte"
    assert error.params["position"] == len(HEAD) + len(LINE) + 1
    error = _error(_with(4, buyer_vat_number="", buyer_org_id="", buyer_peppol_id=""))
    assert (error.row, error.params["number"]) == (4, "F-2")


def test_a_consistent_exemption_per_category_is_accepted_and_a_differing_one_refused() -> None:
    rows = _rows()
    rows[2] |= {"vat_exemption_code": "VATEX-EU-G"}
    rows.append(rows[2] | {"line_name": "Export 2", "vat_exemption_code": "vatex-eu-g"})
    second = read_csv_invoices(_file(rows))[1]
    assert second.vat_exemptions[VatCategory.EXPORT] == VatExemption(code="VATEX-EU-G")
    rows[-1]["vat_exemption_code"] = "VATEX-EU-132"
    error = _error(_file(rows))
    assert (error.code, error.row, error.params["first_row"]) == ("CSV-INCONSISTENT", 7, 4)


def test_no_message_echoes_more_than_a_hundred_characters_of_input() -> None:
    long = "2024" + "9" * 5000
    for data in (
        _with(3, issue_date=long),
        _with(3, quantity=long),
        _with(3, vat_category=long),
        _with(3, currency=long),
        _file(_rows(), columns=[*HEAD, *LINE, "z" * 5000]),
        _with(4, payment_terms="p" * 1999),
    ):
        error = _error(data)
        for value in error.params.values():
            assert len(str(value)) <= SHOWN_CHARS + 1
        assert len(str(error)) < 400


def test_size_and_row_caps() -> None:
    data = _file(_rows())
    assert _error(data, max_bytes=len(data) - 1).code == "CSV-TOO-LARGE"
    assert len(read_csv_invoices(data, max_bytes=len(data))) == 2
    error = _error(data, max_rows=4)
    assert (error.code, error.params["limit"]) == ("CSV-TOO-MANY-ROWS", 4)
    assert len(read_csv_invoices(data, max_rows=5)) == 2
    assert csv_invoice.DEFAULT_MAX_BYTES == 10 * 1024 * 1024


def test_a_cell_beyond_the_csv_modules_field_limit_is_a_csv_read_error() -> None:
    rows = _rows()
    rows[0]["line_note"] = "n" * 200_000
    error = _error(_file(rows))
    assert error.code in {"CSV-SYNTAX", "CSV-TOO-LONG"} and error.row == 2


# --- hostile input ------------------------------------------------------------------------------

_HEADER_LINE = _file(_rows()[:1]).split(b"\r\n", 1)[0] + b"\r\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_raise_nothing_but_csv_read_error(data: bytes) -> None:
    for candidate in (data, _HEADER_LINE + data):
        with contextlib.suppress(CsvReadError):
            read_csv_invoices(candidate)


_CELL = st.text(
    alphabet=st.sampled_from(list('0123456789.,;-:"\r\n\t SEKOGa\x00é\ufffe')), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=0, max_size=len(HEAD) + len(LINE) + 2), max_size=6))
def test_random_rows_under_a_good_header_raise_nothing_but_csv_read_error(
    rows: list[list[str]],
) -> None:
    body = "\r\n".join(";".join(cells) for cells in rows).encode("utf-8")
    try:
        invoices = read_csv_invoices(_HEADER_LINE.replace(b",", b";") + body)
    except CsvReadError:
        return
    for invoice in invoices:
        assert invoice.number and invoice.lines
