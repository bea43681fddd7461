"""Settings from the environment (``PORTAL_*``), read once per process at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .files import UPLOAD_MAX_BYTES, UPLOAD_MAX_FILES

DEFAULT_MAIL_FROM = "Invoice Portal <noreply@localhost>"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str = field(repr=False)  # may carry a database password
    # smtp://user:pass@host:port or smtps://...; None writes mails as .eml under data_dir/mail/
    smtp_url: str | None = field(default=None, repr=False)  # may carry a password
    mail_from: str = DEFAULT_MAIL_FROM
    upload_max_bytes: int = UPLOAD_MAX_BYTES
    upload_max_files: int = UPLOAD_MAX_FILES
    # Business-system servers with TLS (FTPS, POP3 over SSL) are checked against these CA
    # certificates (a PEM file) instead of the system's: for a company's private CA.
    integration_ca_file: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PORTAL_DATA_DIR", "var")).resolve()
        url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            smtp_url=env.get("PORTAL_SMTP_URL") or None,
            mail_from=env.get("PORTAL_MAIL_FROM") or DEFAULT_MAIL_FROM,
            upload_max_bytes=int(env.get("PORTAL_UPLOAD_MAX_BYTES") or UPLOAD_MAX_BYTES),
            upload_max_files=int(env.get("PORTAL_UPLOAD_MAX_FILES") or UPLOAD_MAX_FILES),
            integration_ca_file=env.get("PORTAL_INTEGRATION_CA_FILE", ""),
        )
