"""The domain's text and number limits are the columns', and a too-long draft is refused the same
way on both databases (PostgreSQL enforces lengths, SQLite would store anything)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.db.models import (
    Company,
    InvoiceAllowanceCharge,
    InvoiceAttachment,
    InvoiceLineRow,
    InvoiceRow,
    User,
)
from backend.domain import field_limits, identifiers
from tests.services.invoice_factory import sample_invoice

COLUMN_OF_ATTACHMENT = {"id": "document_id"}
COLUMN_OF_LINE = {"id": "line_id"}


def _length(model: type, column: str) -> int:
    return model.__table__.c[column].type.length


def test_limits_equal_the_column_lengths() -> None:
    for name, limit in field_limits.HEADER_LIMITS.items():
        assert _length(InvoiceRow, name) == limit, name
    assert _length(User, "phone") == _length(Company, "phone") == identifiers.PHONE_MAX_LENGTH
    assert _length(InvoiceRow, "sender_name") == field_limits.PARTY_NAME_LIMIT
    assert _length(InvoiceRow, "recipient_name") == field_limits.PARTY_NAME_LIMIT
    for name, limit in field_limits.LINE_LIMITS.items():
        assert _length(InvoiceLineRow, COLUMN_OF_LINE.get(name, name)) == limit, name
    for name, limit in field_limits.ALLOWANCE_LIMITS.items():
        assert _length(InvoiceAllowanceCharge, name) == limit, name
    for name, limit in field_limits.ATTACHMENT_LIMITS.items():
        assert _length(InvoiceAttachment, COLUMN_OF_ATTACHMENT.get(name, name)) == limit, name


def _digits(model: type, column: str) -> tuple[int, int]:
    kind = model.__table__.c[column].type
    return kind.precision, kind.scale


def test_number_limits_equal_the_columns_digits() -> None:
    for name, digits in field_limits.LINE_NUMBERS.items():
        assert _digits(InvoiceLineRow, name) == digits, name
    for name, digits in field_limits.ALLOWANCE_NUMBERS.items():
        assert _digits(InvoiceAllowanceCharge, name) == digits, name


@pytest.mark.parametrize(
    ("quantity", "refused"),
    [("1.000001", False), ("1.0000010", False), ("1.0000001", True), ("9999999999999", False),
     ("10000000000000", True), ("NaN", True)],
)  # fmt: skip
def test_numbers_the_columns_cannot_keep_are_named(quantity: str, refused: bool) -> None:
    invoice = sample_invoice()
    invoice.lines[0].quantity = Decimal(quantity)
    errors = field_limits.check_field_limits(invoice)
    assert [e.field for e in errors] == (["lines[0].quantity"] if refused else [])
