"""Read invoices that a company's business system hands in as CSV (``docs/csv-layout.md``).

Files come from outside and are hostile input. Every problem is one ``CsvReadError`` with a
stable ``code``, the row (as a spreadsheet numbers it: the header row is row 1) and the column,
echoing at most ``SHOWN_CHARS`` characters of what was found. The reader checks the form of
each value (dates, numbers, codes, required cells, lengths) and the agreement of the rows of one
invoice; business rules (the rate a VAT category needs, identifier check digits, totals) are
left to the domain and the validator that run after it. The seller is left empty: the portal
fills it in from the sending company.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.errors import N_, ValidationError
from ..domain.field_limits import HEADER_LIMITS, LINE_LIMITS, PARTY_NAME_LIMIT
from ..domain.invoice import (
    Address,
    DocumentKind,
    Invoice,
    InvoiceLine,
    ParticipantId,
    Party,
    PaymentMeans,
    VatExemption,
)
from ..domain.vat import DEFAULT_EXEMPTION_CODES, VatCategory

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000  # invoice rows (lines) per file, the header row not counted
SHOWN_CHARS = 100  # at most this much of a cell is quoted back in a message

CSV_TOO_LARGE = "CSV-TOO-LARGE"
CSV_EMPTY = "CSV-EMPTY"
CSV_BINARY = "CSV-BINARY"
CSV_NOT_UTF8 = "CSV-NOT-UTF8"
CSV_SYNTAX = "CSV-SYNTAX"
CSV_NO_HEADER = "CSV-NO-HEADER"
CSV_BAD_HEADER = "CSV-BAD-HEADER"
CSV_UNKNOWN_COLUMN = "CSV-UNKNOWN-COLUMN"
CSV_MISSING_COLUMN = "CSV-MISSING-COLUMN"
CSV_NO_ROWS = "CSV-NO-ROWS"
CSV_TOO_MANY_ROWS = "CSV-TOO-MANY-ROWS"
CSV_CELL_COUNT = "CSV-CELL-COUNT"
CSV_REQUIRED = "CSV-REQUIRED"
CSV_BAD_VALUE = "CSV-BAD-VALUE"
CSV_TOO_LONG = "CSV-TOO-LONG"
CSV_INCONSISTENT = "CSV-INCONSISTENT"
CSV_NO_BUYER_ID = "CSV-NO-BUYER-ID"


class CsvReadError(ValidationError):
    """A CSV invoice file that cannot be read; ``field`` is the column, ``row`` the row."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.row = row
        self.column = column
        if row is not None:
            params["row"] = row
        if column is not None:
            params["column"] = column
        super().__init__(message, field=column, **params)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    invoice_level: bool  # repeated on every row of an invoice, and must agree there
    required: bool = False
    limit: int | None = 200  # characters; None for typed columns, whose parser checks them
    multiline: bool = False  # may hold line breaks (in a quoted cell)


_TEXT_LIMIT = 2000
_ID_LIMIT = 100

COLUMNS: tuple[Column, ...] = (
    Column("number", True, required=True, limit=HEADER_LIMITS["number"]),
    Column("kind", True, limit=None),
    Column("issue_date", True, required=True, limit=None),
    Column("due_date", True, limit=None),
    Column("currency", True, required=True, limit=None),
    Column("buyer_name", True, required=True, limit=PARTY_NAME_LIMIT),
    Column("buyer_org_id", True, limit=_ID_LIMIT),
    Column("buyer_org_id_scheme", True, limit=None),
    Column("buyer_vat_number", True, limit=_ID_LIMIT),
    Column("buyer_peppol_id", True, limit=_ID_LIMIT + 30),
    Column("buyer_street", True),
    Column("buyer_city", True),
    Column("buyer_postal_code", True, limit=_ID_LIMIT),
    Column("buyer_country", True, limit=None),
    Column("buyer_reference", True, limit=HEADER_LIMITS["buyer_reference"]),
    Column("order_reference", True, limit=HEADER_LIMITS["order_reference"]),
    Column("contract_reference", True),
    Column("payment_terms", True, limit=_TEXT_LIMIT, multiline=True),
    Column("note", True, limit=_TEXT_LIMIT, multiline=True),
    Column("category", True, limit=HEADER_LIMITS["category"]),
    Column("payment_reference", True, limit=_ID_LIMIT),
    Column("line_name", False, required=True, limit=LINE_LIMITS["name"]),
    Column("line_description", False, limit=_TEXT_LIMIT, multiline=True),
    Column("line_note", False, limit=_TEXT_LIMIT, multiline=True),
    Column("quantity", False, required=True, limit=None),
    Column("unit_code", False, limit=LINE_LIMITS["unit_code"]),
    Column("net_price", False, required=True, limit=None),
    Column("base_quantity", False, limit=None),
    Column("vat_category", False, required=True, limit=None),
    Column("vat_rate", False, limit=None),
    Column("vat_exemption_reason", False, limit=_TEXT_LIMIT),
    Column("vat_exemption_code", False, limit=_ID_LIMIT),
    Column("seller_item_id", False, limit=LINE_LIMITS["seller_item_id"]),
    Column("buyer_item_id", False, limit=LINE_LIMITS["buyer_item_id"]),
    Column("line_period_start", False, limit=None),
    Column("line_period_end", False, limit=None),
)
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
BUYER_ID_COLUMNS = ("buyer_org_id", "buyer_vat_number", "buyer_peppol_id")
_INVOICE_COLUMNS = tuple(column.name for column in COLUMNS if column.invoice_level)

_UTF8_BOM = b"\xef\xbb\xbf"
# Characters XML 1.0 cannot carry (and DEL): the invoice is written as UBL later.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BREAK = re.compile(r"[\t\r\n]")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMBER_DOT = re.compile(r"[+-]?\d{1,15}(?:\.\d{1,10})?")
_NUMBER_DOT_OR_COMMA = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,10})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SCHEME = re.compile(r"\d{4}")
_PEPPOL_ID = re.compile(r"(?:iso6523-actorid-upis::)?(\d{4}):(\S.*)", re.IGNORECASE)
_CATEGORIES = {category.value: category for category in VatCategory}
_KINDS = {kind.value: kind for kind in DocumentKind}


def shown(value: str) -> str:
    """At most ``SHOWN_CHARS`` characters of ``value``, for a message."""
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def read_csv_invoices(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = MAX_ROWS
) -> list[Invoice]:
    """The invoices of a CSV file in the documented layout, in the order they first appear.

    Raises ``CsvReadError`` for anything that does not fit the layout; nothing else.
    """
    text = _decode(data, max_bytes)
    delimiter = ";" if _count_in_first_line(text, ";") > _count_in_first_line(text, ",") else ","
    records = _records(text, delimiter)
    names = _header(next(records, (0, []))[1])
    number_pattern = _NUMBER_DOT_OR_COMMA if delimiter == ";" else _NUMBER_DOT
    builders: dict[str, _InvoiceBuilder] = {}
    for count, (row_number, record) in enumerate(records, start=1):
        if count > max_rows:
            raise CsvReadError(
                CSV_TOO_MANY_ROWS,
                N_("The file has more than {limit} invoice rows."),
                limit=max_rows,
            )
        row = _Row(row_number, _cells(row_number, names, record), number_pattern)
        head = _invoice_head(row)
        number = head["number"]
        builder = builders.get(number)
        if builder is None:
            builders[number] = _InvoiceBuilder(row, head)
        else:
            builder.add(row, head)
    if not builders:
        raise CsvReadError(CSV_NO_ROWS, N_("The file has a header row but no invoice rows."))
    return [builder.invoice() for builder in builders.values()]


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise CsvReadError(
            CSV_TOO_LARGE,
            N_("The file is larger than the limit of {limit} bytes."),
            limit=max_bytes,
        )
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    if not body.strip():
        raise CsvReadError(CSV_EMPTY, N_("The file is empty."))
    if b"\x00" in body:
        raise CsvReadError(
            CSV_BINARY, N_("The file contains binary data (NUL bytes); it is not a CSV text file.")
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CsvReadError(
            CSV_NOT_UTF8,
            N_("The file is not UTF-8 text: byte {position} cannot be read. Save it as UTF-8."),
            position=error.start + len(data) - len(body) + 1,
        ) from None


def _count_in_first_line(text: str, character: str) -> int:
    """How often ``character`` occurs in the first non-blank line (the header row)."""
    text = text.lstrip()
    end = text.find("\n")
    return text.count(character, 0, end if end >= 0 else len(text))


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records of the file with their row numbers (1 for the first record)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row_number = 0
    while True:
        row_number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise CsvReadError(
                CSV_SYNTAX,
                N_(
                    "Row {row} cannot be read as CSV: a quote may be missing or misplaced,"
                    " or a cell is far too long."
                ),
                row=row_number,
            ) from None
        if any(cell.strip() for cell in record):
            yield row_number, record


def _header(record: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in record]
    while names and not names[-1]:
        names.pop()  # business systems often end every line with a delimiter
    if not names:
        raise CsvReadError(CSV_EMPTY, N_("The file is empty."))
    if not any(name in COLUMNS_BY_NAME for name in names):
        raise CsvReadError(
            CSV_NO_HEADER,
            N_("The first row is not a header row: it names none of the columns of the layout."),
        )
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            raise CsvReadError(
                CSV_BAD_HEADER,
                N_("Column {position} of the header row has no name."),
                position=position,
            )
        if name not in COLUMNS_BY_NAME:
            raise CsvReadError(
                CSV_UNKNOWN_COLUMN,
                N_("The header row names an unknown column “{value}” (column {position})."),
                value=shown(name),
                position=position,
            )
        if name in seen:
            raise CsvReadError(
                CSV_BAD_HEADER,
                N_("Column {column} appears twice in the header row."),
                column=name,
            )
        seen.add(name)
    for column in COLUMNS:
        if column.required and column.name not in seen:
            raise CsvReadError(
                CSV_MISSING_COLUMN,
                N_("The header row has no column {column}, which is required."),
                column=column.name,
            )
    if not seen.intersection(BUYER_ID_COLUMNS):
        raise CsvReadError(
            CSV_MISSING_COLUMN,
            N_(
                "The header row needs at least one of the columns buyer_org_id,"
                " buyer_vat_number and buyer_peppol_id to identify the buyer."
            ),
        )
    return names


def _cells(row_number: int, names: list[str], record: list[str]) -> dict[str, str]:
    if len(record) < len(names) or any(cell.strip() for cell in record[len(names) :]):
        raise CsvReadError(
            CSV_CELL_COUNT,
            N_("Row {row} has {count} cells, but the header row has {expected}."),
            row=row_number,
            count=len(record),
            expected=len(names),
        )
    cells: dict[str, str] = {}
    for name, raw in zip(names, record, strict=False):
        column = COLUMNS_BY_NAME[name]
        value = raw.strip()
        if _FORBIDDEN.search(value):
            raise CsvReadError(
                CSV_BAD_VALUE,
                N_("Row {row}: column {column} contains a control character."),
                row=row_number,
                column=name,
            )
        if column.multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        elif _BREAK.search(value):
            raise CsvReadError(
                CSV_BAD_VALUE,
                N_("Row {row}: column {column} may not contain a line break or tab."),
                row=row_number,
                column=name,
            )
        if column.limit is not None and len(value) > column.limit:
            raise CsvReadError(
                CSV_TOO_LONG,
                N_("Row {row}: column {column} holds {length} characters; at most {limit} fit."),
                row=row_number,
                column=name,
                length=len(value),
                limit=column.limit,
            )
        cells[name] = value
    return cells


class _Row:
    """One invoice row: its cells by column name and typed access that names row and column."""

    def __init__(self, number: int, cells: dict[str, str], number_pattern: re.Pattern[str]):
        self.number = number
        self.cells = cells
        self._number_pattern = number_pattern

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        if not value and COLUMNS_BY_NAME[column].required:
            raise CsvReadError(
                CSV_REQUIRED,
                N_("Row {row}: column {column} is required but empty."),
                row=self.number,
                column=column,
            )
        return value

    def bad(self, column: str, message: str) -> CsvReadError:
        return CsvReadError(
            CSV_BAD_VALUE, message, row=self.number, column=column, value=shown(self.text(column))
        )

    def date(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise self.bad(
                column, N_("Row {row}: “{value}” in column {column} is not a date (YYYY-MM-DD).")
            ) from None

    def decimal(self, column: str) -> Decimal | None:
        value = self.text(column)
        if not value:
            return None
        if not self._number_pattern.fullmatch(value):
            raise self.bad(
                column,
                N_(
                    "Row {row}: “{value}” in column {column} is not a number"
                    " (digits with a decimal point and no thousands separators, e.g. 1234.50)."
                ),
            )
        return Decimal(value.replace(",", "."))

    def code(self, column: str, pattern: re.Pattern[str], message: str) -> str:
        value = self.text(column).upper()
        if value and not pattern.fullmatch(value):
            raise self.bad(column, message)
        return value


def _invoice_head(row: _Row) -> dict[str, Any]:
    """The parsed invoice-level values of a row, by column name."""
    kind_text = row.text("kind").lower()
    kind = _KINDS.get(kind_text or DocumentKind.INVOICE.value)
    if kind is None:
        raise row.bad(
            "kind",
            N_("Row {row}: “{value}” in column {column} is not invoice or credit_note."),
        )
    endpoint = None
    peppol_id = row.text("buyer_peppol_id")
    if peppol_id:
        match = _PEPPOL_ID.fullmatch(peppol_id)
        if match is None:
            raise row.bad(
                "buyer_peppol_id",
                N_(
                    "Row {row}: “{value}” in column {column} is not a Peppol participant id"
                    " (scheme:value, e.g. 0007:5567321707)."
                ),
            )
        endpoint = ParticipantId(match[1], match[2].strip())
    head: dict[str, Any] = {name: row.text(name) for name in _INVOICE_COLUMNS}
    head.update(
        kind=kind,
        issue_date=row.date("issue_date"),
        due_date=row.date("due_date"),
        currency=row.code(
            "currency",
            _CURRENCY,
            N_("Row {row}: “{value}” in column {column} is not a currency code (e.g. SEK)."),
        ),
        buyer_country=row.code(
            "buyer_country",
            _COUNTRY,
            N_("Row {row}: “{value}” in column {column} is not a two-letter country code."),
        ),
        buyer_org_id_scheme=row.code(
            "buyer_org_id_scheme",
            _SCHEME,
            N_("Row {row}: “{value}” in column {column} is not a four-digit scheme (e.g. 0007)."),
        ),
        buyer_peppol_id=endpoint,
    )
    if not any(head[name] for name in BUYER_ID_COLUMNS):
        raise CsvReadError(
            CSV_NO_BUYER_ID,
            N_(
                "Row {row}: invoice {number} names its buyer by none of the columns"
                " buyer_org_id, buyer_vat_number and buyer_peppol_id."
            ),
            row=row.number,
            column="buyer_org_id",
            number=shown(head["number"]),
        )
    return head


class _InvoiceBuilder:
    """The rows of one invoice number, checked to agree, turned into one domain invoice."""

    def __init__(self, row: _Row, head: dict[str, Any]) -> None:
        self.first = row
        self.head = head
        self.lines: list[InvoiceLine] = []
        self.exemptions: dict[VatCategory, tuple[int, VatExemption]] = {}
        self._add_line(row)

    def add(self, row: _Row, head: dict[str, Any]) -> None:
        for name in _INVOICE_COLUMNS:
            if head[name] != self.head[name]:
                raise CsvReadError(
                    CSV_INCONSISTENT,
                    N_(
                        "Row {row}: column {column} is “{value}” here but “{first}” in row"
                        " {first_row}; every row of invoice {number} must repeat the same value."
                    ),
                    row=row.number,
                    column=name,
                    value=shown(row.cells.get(name, "")),
                    first=shown(self.first.cells.get(name, "")),
                    first_row=self.first.number,
                    number=shown(self.head["number"]),
                )
        self._add_line(row)

    def _add_line(self, row: _Row) -> None:
        category_text = row.text("vat_category").upper()
        category = _CATEGORIES.get(category_text)
        if category is None:
            raise row.bad(
                "vat_category",
                N_(
                    "Row {row}: “{value}” in column {column} is not a VAT category"
                    " (S, Z, E, AE, K, G or O)."
                ),
            )
        rate = row.decimal("vat_rate")
        if category is VatCategory.OUTSIDE_SCOPE and rate is not None:
            raise CsvReadError(
                CSV_BAD_VALUE,
                N_("Row {row}: VAT category O takes no rate; leave column {column} empty."),
                row=row.number,
                column="vat_rate",
            )
        if category is not VatCategory.OUTSIDE_SCOPE and rate is None:
            raise CsvReadError(
                CSV_REQUIRED,
                N_("Row {row}: VAT category {category} needs a rate in column {column}."),
                row=row.number,
                column="vat_rate",
                category=category.value,
            )
        base_quantity = row.decimal("base_quantity")
        if base_quantity is not None and base_quantity <= 0:
            raise row.bad(
                "base_quantity",
                N_("Row {row}: “{value}” in column {column} must be a number above 0."),
            )
        self._exemption(row, category)
        self.lines.append(
            InvoiceLine(
                id=str(len(self.lines) + 1),
                name=row.text("line_name"),
                quantity=row.decimal("quantity"),  # type: ignore[arg-type]  # required
                unit_code=row.text("unit_code").upper(),
                net_price=row.decimal("net_price"),  # type: ignore[arg-type]  # required
                vat_category=category,
                vat_rate=rate,
                base_quantity=base_quantity if base_quantity is not None else Decimal(1),
                description=row.text("line_description"),
                note=row.text("line_note"),
                seller_item_id=row.text("seller_item_id"),
                buyer_item_id=row.text("buyer_item_id"),
                period_start=row.date("line_period_start"),
                period_end=row.date("line_period_end"),
            )
        )

    def _exemption(self, row: _Row, category: VatCategory) -> None:
        reason, code = row.text("vat_exemption_reason"), row.text("vat_exemption_code").upper()
        if not (reason or code):
            return
        exemption = VatExemption(reason=reason, code=code)
        known = self.exemptions.get(category)
        if known is None:
            self.exemptions[category] = (row.number, exemption)
        elif known[1] != exemption:
            differs = "vat_exemption_reason" if known[1].reason != reason else "vat_exemption_code"
            raise CsvReadError(
                CSV_INCONSISTENT,
                N_(
                    "Row {row}: VAT category {category} has another exemption reason or code"
                    " than in row {first_row}; one invoice gives one per category."
                ),
                row=row.number,
                column=differs,
                category=category.value,
                first_row=known[0],
            )

    def invoice(self) -> Invoice:
        head = self.head
        exemptions = {category: found for category, (_row, found) in self.exemptions.items()}
        for line in self.lines:
            default = DEFAULT_EXEMPTION_CODES.get(line.vat_category)
            if default and line.vat_category not in exemptions:
                exemptions[line.vat_category] = VatExemption(code=default)
        return Invoice(
            kind=head["kind"],
            number=head["number"],
            issue_date=head["issue_date"],
            currency=head["currency"],
            seller=Party(),
            buyer=Party(
                name=head["buyer_name"],
                address=Address(
                    street=head["buyer_street"],
                    city=head["buyer_city"],
                    postal_code=head["buyer_postal_code"],
                    country_code=head["buyer_country"],
                ),
                legal_id=head["buyer_org_id"],
                legal_id_scheme=head["buyer_org_id_scheme"],
                vat_number=head["buyer_vat_number"],
                endpoint=head["buyer_peppol_id"],
            ),
            lines=self.lines,
            category=head["category"],
            due_date=head["due_date"],
            payment_terms=head["payment_terms"],
            buyer_reference=head["buyer_reference"],
            order_reference=head["order_reference"],
            contract_reference=head["contract_reference"],
            payment_means=(
                [PaymentMeans(payment_reference=head["payment_reference"])]
                if head["payment_reference"]
                else []
            ),
            notes=[head["note"]] if head["note"] else [],
            vat_exemptions=exemptions,
        )


__all__ = [
    "BUYER_ID_COLUMNS",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "MAX_ROWS",
    "Column",
    "CsvReadError",
    "read_csv_invoices",
]
