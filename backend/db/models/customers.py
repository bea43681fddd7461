"""The customer register: a sender's customers, portal members or reached by e-mail."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.states import CustomerLinkState
from ..types import UTCDateTime, utcnow
from .accounts import Company
from .base import Base, str_enum


class DeliveryChannel(enum.StrEnum):
    PORTAL = "portal"  # the recipient's inbox in this portal
    EMAIL = "email"  # PDF + UBL attached to an e-mail
    BUSINESS_SYSTEM = "business_system"  # the recipient's integration picks it up


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("sender_company_id", "recipient_company_id", name="uq_customers_member"),
        UniqueConstraint("sender_company_id", "customer_number", name="uq_customers_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    # Set when the customer is a portal member; None for customers reached by e-mail only.
    recipient_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    customer_number: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    org_id: Mapped[str] = mapped_column(String(32), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    peppol_id: Mapped[str] = mapped_column(String(70), default="")
    channel: Mapped[DeliveryChannel] = mapped_column(
        str_enum(DeliveryChannel, "delivery_channel"), default=DeliveryChannel.PORTAL
    )
    state: Mapped[CustomerLinkState] = mapped_column(
        str_enum(CustomerLinkState, "customer_link_state")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sender: Mapped[Company] = relationship(foreign_keys=[sender_company_id])
    recipient: Mapped[Company | None] = relationship(foreign_keys=[recipient_company_id])
