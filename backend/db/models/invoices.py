"""Invoices and credit notes with their lines, allowances and charges, attachments and deliveries.

List-relevant header fields are real columns (with lower-cased ``*_key`` copies for prefix
filters); the rest of the header (parties, payment means, notes, ...) is a JSON snapshot taken
when the invoice was written, so later edits of a company never change a sent invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.invoice import DocumentKind
from ...domain.states import InvoiceState
from ...domain.vat import VatCategory
from ..types import Amount, Percent, Quantity, Rate, SearchKey, UTCDateTime, utcnow
from .base import Base, str_enum
from .customers import DeliveryChannel

# Sort columns of the invoice list; each gets an index per side (sender, recipient inbox).
LIST_SORT_COLUMNS = ("issue_date", "number_key", "due_date", "payable_amount", "category_key")
# The list's filter columns ride along at the end of every list index, so a filtered page walks
# one index in sort order and checks the filters there, and counts never read the table
# (measured in scripts/bench list: p95 from 214 ms to 10-15 ms on SQLite at 1M invoices).
LIST_FILTER_COLUMNS = ("read_at", "number_key", "category_key", "issue_date")
_NOT_DRAFT = text("state != 'draft'")
IN_SEND_QUEUE = text("state IN ('approved', 'sending')")


def _list_indexes(side: str, counterpart_name: str) -> list[Index]:
    columns = (*LIST_SORT_COLUMNS, counterpart_name, "read_at")
    return [
        Index(f"ix_invoices_{side}_{c}", side, c, "id", *(f for f in LIST_FILTER_COLUMNS if f != c))
        for c in columns
    ]


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        # Numbers are unique per sender from submission on; drafts may hold a typed duplicate
        # until then, so a failed submit never loses what was typed.
        Index(
            "uq_invoices_sender_number",
            "sender_company_id",
            "number",
            unique=True,
            sqlite_where=_NOT_DRAFT,
            postgresql_where=_NOT_DRAFT,
        ),
        Index("ix_invoices_sender_state", "sender_company_id", "state", "id"),
        # Only queued and in-flight rows, so claiming never walks the delivered history.
        Index(
            "ix_invoices_send_queue",
            "state",
            "next_attempt_at",
            "claimed_until",
            "id",
            sqlite_where=IN_SEND_QUEUE,
            postgresql_where=IN_SEND_QUEUE,
        ),
        *_list_indexes("sender_company_id", "recipient_name_key"),
        *_list_indexes("inbox_company_id", "sender_name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    state: Mapped[InvoiceState] = mapped_column(str_enum(InvoiceState, "invoice_state"))
    sender_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    recipient_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    # Set when the invoice has reached the recipient's inbox in the portal: the recipient's
    # list reads only rows that carry it.
    inbox_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    channel: Mapped[DeliveryChannel] = mapped_column(
        str_enum(DeliveryChannel, "delivery_channel"), default=DeliveryChannel.PORTAL
    )
    # Assigned from the sender's sequence when the invoice leaves draft (unless typed).
    number: Mapped[str | None] = mapped_column(String(50))
    number_key: Mapped[str | None] = mapped_column(SearchKey(50))
    category: Mapped[str] = mapped_column(String(100), default="")
    category_key: Mapped[str] = mapped_column(SearchKey(100), default="")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    tax_exclusive_amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    tax_amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    payable_amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    sender_name_key: Mapped[str] = mapped_column(SearchKey(200), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    recipient_name_key: Mapped[str] = mapped_column(SearchKey(200), default="")
    buyer_reference: Mapped[str] = mapped_column(String(200), default="")
    order_reference: Mapped[str] = mapped_column(String(200), default="")
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    header: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The bytes of an invoice that came in as a file, kept as received.
    original_document: Mapped[bytes | None] = mapped_column(LargeBinary)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The send queue (backend/delivery). Approved rows are due from ``next_attempt_at`` on
    # (None: at once); a row being sent carries the worker that claimed it and until when that
    # claim holds, after which another worker takes it over.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lines: Mapped[list[InvoiceLineRow]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLineRow.position"
    )
    allowances_charges: Mapped[list[InvoiceAllowanceCharge]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceAllowanceCharge.id"
    )
    attachments: Mapped[list[InvoiceAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceAttachment.id"
    )
    deliveries: Mapped[list[DeliveryEvent]] = relationship(
        cascade="all, delete-orphan", order_by="DeliveryEvent.id"
    )


class InvoiceLineRow(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_code: Mapped[str] = mapped_column(String(3))
    net_price: Mapped[Decimal] = mapped_column(Quantity())
    base_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(1))
    vat_category: Mapped[VatCategory] = mapped_column(str_enum(VatCategory, "vat_category"))
    vat_rate: Mapped[Decimal | None] = mapped_column(Rate())
    net_amount: Mapped[Decimal] = mapped_column(Amount())
    seller_item_id: Mapped[str] = mapped_column(String(100), default="")
    buyer_item_id: Mapped[str] = mapped_column(String(100), default="")
    standard_item_id: Mapped[str] = mapped_column(String(100), default="")
    standard_item_scheme: Mapped[str] = mapped_column(String(4), default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)


class InvoiceAllowanceCharge(Base):
    """Document-level (``line_position`` None) or line-level allowance or charge."""

    __tablename__ = "invoice_allowances_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    line_position: Mapped[int | None] = mapped_column(Integer)
    is_charge: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[Decimal] = mapped_column(Amount())
    base_amount: Mapped[Decimal | None] = mapped_column(Amount())
    percent: Mapped[Decimal | None] = mapped_column(Percent())
    reason: Mapped[str] = mapped_column(String(200), default="")
    reason_code: Mapped[str] = mapped_column(String(10), default="")
    vat_category: Mapped[VatCategory | None] = mapped_column(str_enum(VatCategory, "vat_category"))
    vat_rate: Mapped[Decimal | None] = mapped_column(Rate())


class InvoiceAttachment(Base):
    __tablename__ = "invoice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    mime_code: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    external_uri: Mapped[str] = mapped_column(String(1000), default="")


class DeliveryEvent(Base):
    """One step of an invoice's delivery history (queued, sent, delivered, failed, ...)."""

    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, "delivery_channel"))
    state: Mapped[InvoiceState] = mapped_column(str_enum(InvoiceState, "invoice_state"))
    detail: Mapped[str] = mapped_column(Text, default="")
