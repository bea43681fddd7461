"""A company's business-system integration: where invoice files are fetched from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..types import UTCDateTime, utcnow
from .base import Base


class IntegrationSettings(Base):
    __tablename__ = "integration_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    file_format: Mapped[str] = mapped_column(String(20), default="peppol-bis3")
    protocol: Mapped[str] = mapped_column(String(10), default="ftp")  # pop3 | ftp | ftps | sftp
    host: Mapped[str] = mapped_column(String(253), default="")
    port: Mapped[int] = mapped_column(Integer, default=21)
    username: Mapped[str] = mapped_column(String(200), default="")
    # Password or private key, encrypted with the key in the data directory, never in clear.
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    path: Mapped[str] = mapped_column(String(500), default="/")
    file_pattern: Mapped[str] = mapped_column(String(100), default="*.xml")
    ftps_mode: Mapped[str] = mapped_column(String(10), default="")  # explicit | implicit
    use_ssl: Mapped[bool] = mapped_column(Boolean, default=False)
    binary_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    passive_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    remove_after_polling: Mapped[bool] = mapped_column(Boolean, default=False)
    poll_interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    error_email: Mapped[str] = mapped_column(String(254), default="")
    send_automatically: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
