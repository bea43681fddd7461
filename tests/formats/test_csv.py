"""Invoices as CSV: documented columns, one row per line, UTF-8 with BOM, machine-readable
numbers and dates, the same columns in bulk, and no formulas for spreadsheets to run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from backend.domain.totals import compute_totals
from backend.formats import csv_export
from backend.formats.csv_export import CSV_COLUMNS, invoices_to_csv

from .invoice_samples import credit_note, dutch_invoice, swedish_invoice


def _read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to see UTF-8
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_every_column_is_documented_in_the_module_docstring() -> None:
    doc = csv_export.__doc__ or ""
    for column in CSV_COLUMNS:
        assert f"\n{column} " in doc, column
    assert len(set(CSV_COLUMNS)) == len(CSV_COLUMNS)


def test_one_row_per_line_with_the_header_fields_repeated() -> None:
    invoice = swedish_invoice(lines=7)
    rows = _read(invoices_to_csv([invoice]))
    totals = compute_totals(invoice)
    assert len(rows) == 7
    for row, line, net in zip(rows, invoice.lines, totals.line_net_amounts, strict=True):
        assert row["invoice_number"] == "ACME-2024-0042"
        assert row["document_kind"] == "invoice"
        assert row["issue_date"] == "2024-05-14" and row["due_date"] == "2024-06-13"
        assert row["currency"] == "SEK"
        assert row["seller_name"] == "Acme Sverige AB" and row["seller_org_no"] == "5560360793"
        assert row["seller_vat_no"] == "SE556036079301"
        assert row["buyer_name"] == "Nordisk Bygg AB" and row["buyer_vat_no"] == "SE556703748501"
        assert row["buyer_reference"] == "Jörgen Ärlig" and row["order_reference"] == "PO-77812"
        assert row["line_id"] == line.id and row["item_name"] == line.name
        assert row["item_seller_id"] == line.seller_item_id
        assert row["line_note"] == line.note
        assert Decimal(row["quantity"]) == line.quantity
        assert row["unit_code"] == line.unit_code
        assert Decimal(row["net_price"]) == line.net_price
        assert row["price_base_quantity"] == "1"
        assert row["line_net_amount"] == str(net)
        assert row["vat_category"] == "S" and Decimal(row["vat_rate"]) == line.vat_rate
        assert row["invoice_total_excl_vat"] == str(totals.tax_exclusive)
        assert row["invoice_vat_total"] == str(totals.tax_total)
        assert row["invoice_total_incl_vat"] == str(totals.tax_inclusive)
        assert row["invoice_amount_due"] == str(totals.payable)
    assert rows[1]["net_price"] == "8500.00"  # a dot, no thousands separator
    assert "Elförbrukning 3" in {row["item_name"] for row in rows}


def test_bulk_export_has_the_same_columns_for_every_kind() -> None:
    invoices = [swedish_invoice(lines=3), dutch_invoice(), credit_note()]
    data = invoices_to_csv(invoices)
    rows = _read(data)
    assert len(rows) == sum(len(invoice.lines) for invoice in invoices)
    assert {row["document_kind"] for row in rows} == {"invoice", "credit_note"}
    dutch = [row for row in rows if row["invoice_number"] == "BDV-2024-1001"]
    assert [row["vat_category"] for row in dutch] == ["S", "S", "E"]
    assert dutch[0]["invoice_allowance_total"] == "10.00"
    assert dutch[0]["invoice_charge_total"] == "12.50"
    assert dutch[0]["invoice_prepaid"] == "100.00" and dutch[0]["invoice_rounding"] == "0.01"
    assert dutch[1]["quantity"] == "2.5" and dutch[1]["item_name"] == "Catering crème brûlée"
    credit = [row for row in rows if row["document_kind"] == "credit_note"]
    assert credit and all(row["due_date"] == "" for row in credit)
    # RFC 4180 line ends; one header row
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS) and lines[-1] == ""
    assert len(lines) == len(rows) + 2


def test_formula_like_text_is_defused_and_numbers_are_not() -> None:
    invoice = swedish_invoice(lines=6)
    dangerous = ['=HYPERLINK("http://x")', "+46 8 1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    for line, text in zip(invoice.lines, dangerous, strict=True):
        line.name = text
    invoice.lines[0].quantity = Decimal(-1)  # a credited line: a number, not a formula
    invoice.buyer.name = "=cmd|' /C calc'!A0"
    rows = _read(invoices_to_csv([invoice]))
    assert [row["item_name"] for row in rows] == ["'" + text for text in dangerous]
    assert rows[0]["buyer_name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["quantity"] == "-1"
    assert rows[0]["line_net_amount"].startswith("-")


def test_text_cells_keep_letters_and_lose_control_characters() -> None:
    invoice = swedish_invoice(lines=1)
    invoice.lines[0].description = "Två rader\nmed å, ä, ö, é, ü och €\x00\x1b"
    rows = _read(invoices_to_csv([invoice]))
    assert rows[0]["item_description"] == "Två rader\nmed å, ä, ö, é, ü och €"


def test_numbers_are_plain_decimals() -> None:
    assert csv_export.number_cell(Decimal("1E+3")) == "1000"
    assert csv_export.number_cell(Decimal("-0.00")) == "0.00"
    assert csv_export.number_cell(Decimal("0.000001")) == "0.000001"
    assert csv_export.number_cell(None) == ""


def test_no_invoices_gives_the_header_only() -> None:
    assert _read(invoices_to_csv([])) == []
