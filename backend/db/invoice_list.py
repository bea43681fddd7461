"""The invoice list query: filters, sort and paging for sent and received invoices.

Kept apart from the use cases because it is the hot path (``scripts/bench list``): every filter
maps to a column that leads an index together with the company, see models/invoices.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.compiler import compiles

from ..domain.errors import N_, ValidationError
from ..domain.invoice import DocumentKind
from ..domain.states import InvoiceState
from .models import InvoiceRow
from .models.customers import DeliveryChannel

PAGE_SIZES = (10, 25, 50, 100)
# Above every code point: "key < prefix + MAX_CHAR" bounds a prefix range on byte-order keys.
MAX_CHAR = "\U0010ffff"


class Side(enum.StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class ReadFilter(enum.StrEnum):
    ALL = "all"
    UNREAD = "unread"
    READ = "read"


class SortColumn(enum.StrEnum):
    ISSUE_DATE = "issue_date"
    NUMBER = "number"
    COUNTERPART = "counterpart"
    CATEGORY = "category"
    DUE_DATE = "due_date"
    AMOUNT = "amount"
    READ = "read"


@dataclass(frozen=True, slots=True)
class InvoiceQuery:
    side: Side = Side.RECEIVED
    read: ReadFilter = ReadFilter.ALL
    number_prefix: str = ""
    category_prefix: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    state: InvoiceState | None = None
    sort: SortColumn = SortColumn.ISSUE_DATE
    descending: bool = True
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True, slots=True)
class InvoiceListRow:
    id: int
    kind: DocumentKind
    state: InvoiceState
    number: str
    counterpart: str
    category: str
    issue_date: date
    due_date: date | None
    currency: str
    amount: Decimal
    read: bool
    channel: DeliveryChannel


@dataclass(frozen=True, slots=True)
class InvoicePage:
    rows: list[InvoiceListRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def check_query(query: InvoiceQuery) -> None:
    if query.page_size not in PAGE_SIZES:
        raise ValidationError(N_("A page holds 10, 25, 50 or 100 invoices."), field="page_size")
    if query.page < 1:
        raise ValidationError(N_("Pages are counted from 1."), field="page")
    if query.issued_from and query.issued_to and query.issued_from > query.issued_to:
        raise ValidationError(N_("The “from” date is after the “to” date."), field="issued_from")


class _Unindexed(ColumnElement[Any]):
    """A column that must not choose the index: ``+column`` on SQLite, plain elsewhere.

    SQLite picks the index of the most selective-looking filter and then sorts; for a page in
    sort order it is faster to walk the sort column's index, whose trailing columns hold every
    filter (models/invoices.py). The unary ``+`` is SQLite's documented way to say so.
    """

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _plain(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Unindexed, "sqlite")
def _plus(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _prefix(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    # No stored key holds NUL (PostgreSQL text cannot), and PostgreSQL refuses it in a query.
    key = text.casefold().replace("\x00", "")
    return (column >= key) & (column < key + MAX_CHAR)


def _sort_column(query: InvoiceQuery) -> ColumnElement:  # type: ignore[type-arg]
    counterpart = (
        InvoiceRow.recipient_name_key if query.side is Side.SENT else InvoiceRow.sender_name_key
    )
    return {
        SortColumn.ISSUE_DATE: InvoiceRow.issue_date,
        SortColumn.NUMBER: InvoiceRow.number_key,
        SortColumn.COUNTERPART: counterpart,
        SortColumn.CATEGORY: InvoiceRow.category_key,
        SortColumn.DUE_DATE: InvoiceRow.due_date,
        SortColumn.AMOUNT: InvoiceRow.payable_amount,
        SortColumn.READ: InvoiceRow.read_at,
    }[query.sort]


def filtered(
    query: InvoiceQuery, company_id: int, *, walk: ColumnElement[Any] | None = None
) -> Select:  # type: ignore[type-arg]
    """The rows the company may see on this side, with the query's filters. With ``walk`` (the
    sort column), filters on other columns are kept from choosing the index."""

    def col(column: Any) -> Any:
        return column if walk is None or column is walk else _Unindexed(column)

    owner = InvoiceRow.sender_company_id if query.side is Side.SENT else InvoiceRow.inbox_company_id
    conditions: list[ColumnElement[bool]] = [owner == company_id]
    if query.read is ReadFilter.UNREAD:
        conditions.append(col(InvoiceRow.read_at).is_(None))
    elif query.read is ReadFilter.READ:
        conditions.append(col(InvoiceRow.read_at).is_not(None))
    if query.number_prefix.strip():
        conditions.append(_prefix(col(InvoiceRow.number_key), query.number_prefix.strip()))
    if query.category_prefix.strip():
        conditions.append(_prefix(col(InvoiceRow.category_key), query.category_prefix.strip()))
    if query.issued_from:
        conditions.append(col(InvoiceRow.issue_date) >= query.issued_from)
    if query.issued_to:
        conditions.append(col(InvoiceRow.issue_date) <= query.issued_to)
    if query.state is not None:
        conditions.append(col(InvoiceRow.state) == query.state)
    return select(InvoiceRow).where(*conditions)


def page_statement(query: InvoiceQuery, company_id: int) -> Select:  # type: ignore[type-arg]
    column = _sort_column(query)
    order = (column.desc(), InvoiceRow.id.desc()) if query.descending else (column, InvoiceRow.id)
    counterpart = InvoiceRow.recipient_name if query.side is Side.SENT else InvoiceRow.sender_name
    return (
        filtered(query, company_id, walk=column)
        .with_only_columns(
            InvoiceRow.id,
            InvoiceRow.kind,
            InvoiceRow.state,
            InvoiceRow.number,
            counterpart,
            InvoiceRow.category,
            InvoiceRow.issue_date,
            InvoiceRow.due_date,
            InvoiceRow.currency,
            InvoiceRow.payable_amount,
            InvoiceRow.read_at.is_not(None),
            InvoiceRow.channel,
        )
        .order_by(*order)
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )


def count_statement(query: InvoiceQuery, company_id: int) -> Select:  # type: ignore[type-arg]
    return filtered(query, company_id).with_only_columns(func.count()).order_by(None)


def to_row(values: tuple) -> InvoiceListRow:  # type: ignore[type-arg]
    (
        id_,
        kind,
        state,
        number,
        counterpart,
        category,
        issued,
        due,
        currency,
        amount,
        read,
        channel,
    ) = values
    return InvoiceListRow(
        id_,
        kind,
        state,
        number or "",
        counterpart,
        category,
        issued,
        due,
        currency,
        amount,
        bool(read),
        channel,
    )
