"""Companies, their users, login keys, one-time codes, registration codes, the company directory."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...domain.errors import N_
from ..types import UTCDateTime, utcnow
from .base import Base, str_enum


class MembershipLevel(enum.StrEnum):
    FREE = "free"
    PLUS = "plus"
    PREMIUM = "premium"


class CompanyStatus(enum.StrEnum):
    PENDING = "pending"  # registered, first user not yet activated
    ACTIVE = "active"
    SUSPENDED = "suspended"


class MembershipUse(enum.StrEnum):
    SENDING = "sending"
    RECEIVING = "receiving"
    BOTH = "both"


class Role(enum.StrEnum):
    MEMBER = "member"
    COMPANY_ADMIN = "company_admin"
    SUPPORT = "support"
    PORTAL_ADMIN = "portal_admin"


ROLE_LABELS: dict[Role, str] = {
    Role.MEMBER: N_("Member"),
    Role.COMPANY_ADMIN: N_("Company administrator"),
    Role.SUPPORT: N_("Support"),
    Role.PORTAL_ADMIN: N_("Portal administrator"),
}

LEVEL_LABELS: dict[MembershipLevel, str] = {
    MembershipLevel.FREE: N_("Free"),
    MembershipLevel.PLUS: N_("Plus"),
    MembershipLevel.PREMIUM: N_("Premium"),
}


class Notification(enum.StrEnum):
    """How a user hears of an invoice that reached the company's inbox."""

    NONE = "none"
    EMAIL = "email"  # a mail saying where the invoice is and how to log in
    EMAIL_PDF = "email_pdf"  # the same mail with the invoice's PDF attached


NOTIFICATION_LABELS: dict[Notification, str] = {
    Notification.NONE: N_("No e-mail"),
    Notification.EMAIL: N_("E-mail"),
    Notification.EMAIL_PDF: N_("E-mail with PDF"),
}


class CodePurpose(enum.StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("country", "org_id", name="uq_companies_country_org_id"),
        UniqueConstraint("peppol_scheme", "peppol_value", name="uq_companies_peppol"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    org_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), index=True)
    vat_number: Mapped[str | None] = mapped_column(String(20), index=True)
    peppol_scheme: Mapped[str | None] = mapped_column(String(4))
    peppol_value: Mapped[str | None] = mapped_column(String(64))
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    iban: Mapped[str | None] = mapped_column(String(34), index=True)
    bic: Mapped[str] = mapped_column(String(11), default="")
    level: Mapped[MembershipLevel] = mapped_column(
        str_enum(MembershipLevel, "membership_level"), default=MembershipLevel.FREE
    )
    status: Mapped[CompanyStatus] = mapped_column(
        str_enum(CompanyStatus, "company_status"), default=CompanyStatus.PENDING
    )
    membership_use: Mapped[MembershipUse] = mapped_column(
        str_enum(MembershipUse, "membership_use"), default=MembershipUse.BOTH
    )
    # Approving needs a second person when set (the creator may not approve their own invoice).
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=False)
    # Recipients who set this must approve a sender before invoices may be sent to them.
    requires_sender_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_number_prefix: Mapped[str] = mapped_column(String(20), default="")
    next_invoice_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="company")

    @property
    def peppol_id(self) -> str:
        """``scheme:value`` (e.g. ``0007:5560360793``), or "" when the company has none."""
        return f"{self.peppol_scheme}:{self.peppol_value}" if self.peppol_scheme else ""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # the login, lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="", server_default="")
    notification: Mapped[Notification] = mapped_column(
        str_enum(Notification, "notification"),
        default=Notification.EMAIL,
        server_default=Notification.EMAIL.value,
    )
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.MEMBER)
    may_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company: Mapped[Company] = relationship(back_populates="users")
    keys: Mapped[list[UserKey]] = relationship(back_populates="user", cascade="all, delete-orphan")


class UserKey(Base):
    """An SSH public key a user may log in with (OpenSSH one-line format)."""

    __tablename__ = "user_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    algorithm: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(16384))
    fingerprint: Mapped[str] = mapped_column(String(100), unique=True)  # SHA256:...
    comment: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="keys")


class OneTimeCode(Base):
    """Activation and reset codes, stored as hashes; each works once before it expires."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[CodePurpose] = mapped_column(str_enum(CodePurpose, "code_purpose"))
    code_hash: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegistrationCode(Base):
    """A code handed out by the portal or a partner; entering it at registration sets the level."""

    __tablename__ = "registration_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    level: Mapped[MembershipLevel] = mapped_column(str_enum(MembershipLevel, "membership_level"))
    uses_left: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DirectoryEntry(Base):
    """The imported company registry used to fill in registration details from an org id."""

    __tablename__ = "directory_entries"
    __table_args__ = (UniqueConstraint("country", "org_id", name="uq_directory_country_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    org_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
