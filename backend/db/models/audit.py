"""Append-only audit events (the database refuses UPDATE and DELETE on this table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_company_at", "company_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # No foreign keys: the trail must outlive what it talks about.
    actor_user_id: Mapped[int | None] = mapped_column()
    company_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100), default="")  # e.g. "invoice:42"
    source: Mapped[str] = mapped_column(String(64), default="")  # e.g. client address
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
