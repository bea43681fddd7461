"""The invoice list against brute force: for random combinations of side, read status, number
and category prefixes, date range, sort column and direction, page and page size, the page the
use case returns is exactly what filtering and sorting the same rows in Python gives (SQLite,
and PostgreSQL when it is set)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.db.invoice_list import (
    PAGE_SIZES,
    InvoiceQuery,
    ReadFilter,
    Side,
    SortColumn,
)
from backend.db.invoice_mapping import search_key
from backend.db.models import InvoiceRow
from backend.domain.errors import ValidationError
from backend.domain.invoice import DocumentKind
from backend.domain.states import InvoiceState
from backend.services import invoices
from backend.services.context import Portal

from .conftest import World

NUMBERS = ("A-1", "A-10", "a-2", "Ä-3", "B/7", "b-70", "2026-001", "2026-010", "X")
CATEGORIES = ("Algemene doorbelastingen", "algemeen", "ALG", "Huur", "Ärende", "straße", "")
NAMES = ("Acme AB", "acme ab", "Bakker BV", "Ödla AB", "Zeta", "ßeta GmbH", "de Vries")
FIRST = date(2026, 1, 1)
ROWS = 60


@dataclass(frozen=True)
class Stored:
    id: int
    sender: int
    inbox: int | None
    number_key: str
    category_key: str
    sender_key: str
    recipient_key: str
    issue_date: date
    due_date: date | None
    amount: Decimal
    read_at: datetime | None


def _store(portal: Portal, world: World) -> list[Stored]:
    """Invoices both ways between Acme and Bakker (some not delivered), fixed by a seed."""
    rng = random.Random(6)
    companies = (world.acme_admin.company_id, world.bakker_admin.company_id)
    stored = []
    with portal.sessions.begin() as session:
        for n in range(ROWS):
            sender = companies[n % 2]
            recipient = companies[1 - n % 2]
            number = f"{rng.choice(NUMBERS)}{n}"  # unique per sender
            category = rng.choice(CATEGORIES)
            sender_name, recipient_name = rng.choice(NAMES), rng.choice(NAMES)
            issued = FIRST + timedelta(days=rng.randrange(0, 60))
            due = None if rng.random() < 0.2 else issued + timedelta(days=rng.choice((0, 14, 30)))
            read = None if rng.random() < 0.5 else datetime(2026, 3, 1, tzinfo=UTC)
            row = InvoiceRow(
                kind=DocumentKind.INVOICE,
                state=InvoiceState.DELIVERED,
                sender_company_id=sender,
                recipient_company_id=recipient,
                inbox_company_id=None if rng.random() < 0.15 else recipient,
                number=number,
                number_key=search_key(number),
                category=category,
                category_key=search_key(category),
                issue_date=issued,
                due_date=due,
                currency="EUR",
                payable_amount=Decimal(rng.randrange(-5000, 500000)) / 100,
                sender_name=sender_name,
                sender_name_key=search_key(sender_name),
                recipient_name=recipient_name,
                recipient_name_key=search_key(recipient_name),
                read_at=read,
                header={},
            )
            session.add(row)
            session.flush()
            stored.append(
                Stored(
                    row.id,
                    sender,
                    row.inbox_company_id,
                    row.number_key or "",
                    row.category_key,
                    row.sender_name_key,
                    row.recipient_name_key,
                    issued,
                    due,
                    row.payable_amount,
                    read,
                )
            )
    return stored


def _sort_value(row: Stored, query: InvoiceQuery) -> object:
    return {
        SortColumn.ISSUE_DATE: row.issue_date,
        SortColumn.NUMBER: row.number_key,
        SortColumn.COUNTERPART: row.recipient_key if query.side is Side.SENT else row.sender_key,
        SortColumn.CATEGORY: row.category_key,
        SortColumn.DUE_DATE: row.due_date,
        SortColumn.AMOUNT: row.amount,
        SortColumn.READ: row.read_at,
    }[query.sort]


def brute_force(
    rows: list[Stored], query: InvoiceQuery, company_id: int, dialect: str
) -> tuple[list[int], int]:
    """The ids of the page and the number of matches, by reading every row."""

    def keep(row: Stored) -> bool:
        owner = row.sender if query.side is Side.SENT else row.inbox
        if owner != company_id:
            return False
        if query.read is ReadFilter.UNREAD and row.read_at is not None:
            return False
        if query.read is ReadFilter.READ and row.read_at is None:
            return False
        number, category = query.number_prefix.strip(), query.category_prefix.strip()
        if number and not row.number_key.startswith(search_key(number)):
            return False
        if category and not row.category_key.startswith(search_key(category)):
            return False
        if query.issued_from and row.issue_date < query.issued_from:
            return False
        return not (query.issued_to and row.issue_date > query.issued_to)

    # NULL is below every value on SQLite and above every value on PostgreSQL.
    null_rank = 0 if dialect == "sqlite" else 2

    def order(row: Stored) -> tuple[object, ...]:
        value = _sort_value(row, query)
        return ((null_rank,) if value is None else (1, value), row.id)

    matches = sorted(filter(keep, rows), key=order, reverse=query.descending)
    start = (query.page - 1) * query.page_size
    return [r.id for r in matches[start : start + query.page_size]], len(matches)


def _prefixes(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Prefixes of stored texts in any case, with stray spaces, and now and then noise."""
    typed = st.sampled_from(values).flatmap(lambda v: st.integers(0, len(v)).map(lambda n: v[:n]))
    cased = st.tuples(typed, st.sampled_from((str, str.upper, str.lower))).map(lambda p: p[1](p[0]))
    spaced = st.tuples(cased, st.sampled_from(("", " "))).map(lambda p: p[1] + p[0] + p[1])
    # Control characters are left out of the noise: PostgreSQL refuses NUL in a text parameter
    # (DataError); the filter bar removes controls before they reach the query.
    noise = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=3)
    return st.one_of(st.just(""), spaced, noise)


DATES = st.one_of(st.none(), st.dates(FIRST - timedelta(days=5), FIRST + timedelta(days=65)))

QUERIES = st.builds(
    InvoiceQuery,
    side=st.sampled_from(Side),
    read=st.sampled_from(ReadFilter),
    number_prefix=_prefixes(NUMBERS),
    category_prefix=_prefixes(CATEGORIES),
    issued_from=DATES,
    issued_to=DATES,
    sort=st.sampled_from(SortColumn),
    descending=st.booleans(),
    page=st.integers(1, 4),
    page_size=st.sampled_from(PAGE_SIZES),
)


@pytest.fixture
def stored(portal: Portal, world: World) -> list[Stored]:
    return _store(portal, world)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=QUERIES, acme=st.booleans())
def test_list_page_matches_brute_force(
    portal: Portal, world: World, stored: list[Stored], query: InvoiceQuery, acme: bool
) -> None:
    member = world.acme_member if acme else world.bakker_member
    dialect = portal.engine.dialect.name
    if query.issued_from and query.issued_to and query.issued_from > query.issued_to:
        with pytest.raises(ValidationError) as refused:
            invoices.list_invoices(portal, member.actor, query)
        assert refused.value.field == "issued_from"
        return
    page = invoices.list_invoices(portal, member.actor, query)
    expected_ids, expected_total = brute_force(stored, query, member.company_id, dialect)
    assert [row.id for row in page.rows] == expected_ids
    assert page.total == expected_total
    assert page.pages == max(1, -(-expected_total // query.page_size))


def test_the_stored_rows_cover_what_the_filters_distinguish(stored: list[Stored]) -> None:
    """The fixed rows hold what makes the property meaningful: both sides, read and unread,
    missing due dates, undelivered invoices, prefixes that differ only in case."""
    assert any(r.inbox is None for r in stored)
    assert any(r.due_date is None for r in stored) and any(r.read_at is None for r in stored)
    assert {"alg", "algemeen", "algemene doorbelastingen"} <= {r.category_key for r in stored}
    assert any(r.number_key.startswith("ä") for r in stored)


def test_a_nul_in_a_prefix_is_ignored_on_both_databases(
    portal: Portal, world: World, stored: list[Stored]
) -> None:
    query = InvoiceQuery(side=Side.SENT, number_prefix="\x00", category_prefix="al\x00g")
    page = invoices.list_invoices(portal, world.acme_member.actor, query)
    plain = InvoiceQuery(side=Side.SENT, category_prefix="alg")
    expected = invoices.list_invoices(portal, world.acme_member.actor, plain)
    assert [row.id for row in page.rows] == [row.id for row in expected.rows]
