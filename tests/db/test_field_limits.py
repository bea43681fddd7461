"""The domain's text limits are the columns' lengths, and a too-long draft is refused the same
way on both databases (PostgreSQL enforces lengths, SQLite would store anything)."""

from __future__ import annotations

from backend.db.models import (
    Company,
    InvoiceAllowanceCharge,
    InvoiceAttachment,
    InvoiceLineRow,
    InvoiceRow,
    User,
)
from backend.domain import field_limits, identifiers

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
