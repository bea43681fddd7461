"""Invoice templates: named sets of recurring invoice fields, at most ten per company."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base

MAX_TEMPLATES_PER_COMPANY = 10


class InvoiceTemplate(Base):
    __tablename__ = "invoice_templates"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_templates_company_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The saved fields in the invoice document format (see services.invoice_documents).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
