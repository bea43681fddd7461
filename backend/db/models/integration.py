"""A company's business-system integration: where invoice files are fetched from, what became of
each fetched file, the problems reported about it, and the substitution rules applied to what
the business system sends (see ``backend/integration``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...domain.errors import N_
from ...domain.substitution import SubstitutionField, SubstitutionMode
from ..types import UTCDateTime, utcnow
from .base import Base, str_enum


class FileFormat(enum.StrEnum):
    PEPPOL_BIS3 = "peppol-bis3"
    SI_UBL_2 = "si-ubl-2"
    CSV = "csv"


FILE_FORMAT_LABELS: dict[FileFormat, str] = {
    FileFormat.PEPPOL_BIS3: N_("Peppol BIS Billing 3.0 (UBL)"),
    FileFormat.SI_UBL_2: N_("NLCIUS / SI-UBL 2.0 (UBL)"),
    FileFormat.CSV: N_("CSV (the portal's layout)"),
}


class FetchProtocol(enum.StrEnum):
    POP3 = "pop3"  # files are the attachments of e-mails in a mailbox
    FTP = "ftp"  # plain FTP, or FTPS with ``ftps_mode``
    SFTP = "sftp"


FETCH_PROTOCOL_LABELS: dict[FetchProtocol, str] = {
    FetchProtocol.POP3: N_("E-mail (POP3)"),
    FetchProtocol.FTP: N_("FTP / FTPS"),
    FetchProtocol.SFTP: N_("SFTP"),
}


class FtpsMode(enum.StrEnum):
    NONE = "none"
    EXPLICIT = "explicit"  # AUTH TLS on the plain port
    IMPLICIT = "implicit"  # TLS from the first byte (usually port 990)


FTPS_MODE_LABELS: dict[FtpsMode, str] = {
    FtpsMode.NONE: N_("None (plain FTP)"),
    FtpsMode.EXPLICIT: N_("Explicit (AUTH TLS)"),
    FtpsMode.IMPLICIT: N_("Implicit"),
}


class IntegrationSettings(Base):
    __tablename__ = "integration_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    file_format: Mapped[str] = mapped_column(String(20), default=FileFormat.PEPPOL_BIS3.value)
    protocol: Mapped[str] = mapped_column(String(10), default=FetchProtocol.FTP.value)
    host: Mapped[str] = mapped_column(String(253), default="")
    port: Mapped[int] = mapped_column(Integer, default=21)
    username: Mapped[str] = mapped_column(String(200), default="")
    # The password, encrypted with the key in the data directory (backend/integration/secret_box).
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # SFTP only: an OpenSSH private key instead of (or with) the password, encrypted the same way.
    private_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # SFTP only: the server's host key, pinned at the first successful connection (OpenSSH
    # format); a different key later is refused until an admin clears it.
    host_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    path: Mapped[str] = mapped_column(String(500), default="/")
    file_pattern: Mapped[str] = mapped_column(String(100), default="*.xml")
    ftps_mode: Mapped[str] = mapped_column(String(10), default=FtpsMode.NONE.value)
    use_ssl: Mapped[bool] = mapped_column(Boolean, default=False)  # POP3: SSL (port 995)
    binary_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    passive_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    remove_after_polling: Mapped[bool] = mapped_column(Boolean, default=False)
    poll_interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    error_email: Mapped[str] = mapped_column(String(254), default="")
    send_automatically: Mapped[bool] = mapped_column(Boolean, default=False)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Held by the poller at work on this company until then (see integration.poller).
    polling_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FetchedFileStatus(enum.StrEnum):
    IMPORTED = "imported"  # became invoice ``invoice_id``
    FAILED = "failed"  # kept with its report; can be retried after the rules are fixed


class FetchedFile(Base):
    """One file fetched from a business system, kept as received. The same bytes fetched
    again are recognised by ``sha256`` and never imported twice."""

    __tablename__ = "fetched_files"
    __table_args__ = (UniqueConstraint("company_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    # The name the server gave (untrusted: shown inert) and where it came from.
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[FetchedFileStatus] = mapped_column(
        str_enum(FetchedFileStatus, "fetched_file_status")
    )
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # What went wrong (or the warnings of an imported file): a list of
    # {"message": msgid, "params": {...}, "field": "...", "rule": "...", "fatal": bool}.
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class IntegrationNotice(Base):
    """A problem with the integration, one row per distinct problem (``problem`` is its key,
    e.g. ``login`` or ``file:<sha256>``). ``mailed_at`` says when the error notice for it last
    went out: the same problem within an hour is counted, not mailed again."""

    __tablename__ = "integration_notices"
    __table_args__ = (UniqueConstraint("company_id", "problem"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    problem: Mapped[str] = mapped_column(String(200))
    # A msgid of ours with its params, shown in the reader's language; a server's own words
    # travel in params["server"] and are shown inert.
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the problem went away (a poll that connected, a retried file that imported).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SubstitutionRule(Base):
    """For one field of every fetched invoice: set ``value`` always, only if missing, or never."""

    __tablename__ = "substitution_rules"
    __table_args__ = (UniqueConstraint("company_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    field: Mapped[SubstitutionField] = mapped_column(
        str_enum(SubstitutionField, "substitution_field")
    )
    mode: Mapped[SubstitutionMode] = mapped_column(str_enum(SubstitutionMode, "substitution_mode"))
    value: Mapped[str] = mapped_column(String(500), default="")


class UnitCodeTranslation(Base):
    """A unit the business system writes (``st``, ``uur``) and the UN/ECE code it means."""

    __tablename__ = "unit_code_translations"
    __table_args__ = (UniqueConstraint("company_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    source: Mapped[str] = mapped_column(String(20))  # compared without case
    target: Mapped[str] = mapped_column(String(3))
