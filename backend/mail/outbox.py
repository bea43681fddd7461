"""Sending e-mail: SMTP through aiosmtplib, or ``.eml`` files when no server is configured.

``PORTAL_SMTP_URL`` says where mail goes:

- ``smtp://user:pass@host:587`` uses STARTTLS when the server offers it (``?starttls=required``
  refuses to go on without it, ``?starttls=never`` does not try);
- ``smtps://user:pass@host:465`` speaks TLS from the start;
- ``?cafile=/path/ca.pem`` trusts that CA instead of the system's (a private mail relay).

User name and password are URL-encoded in the URL. They are sent only over TLS, or to a server
on the loopback interface. Unset, every mail is written to ``DATA_DIR/mail/<time>-<random>.eml``
(written to a work file first and renamed, so a reader never sees half a mail): the demo works
offline and the mails can be opened with any mail program.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import secrets
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ..config import Settings
from ..domain.errors import N_, DomainError

log = logging.getLogger(__name__)

StartTLS = Literal["auto", "required", "never"]
SMTP_TIMEOUT_SECONDS = 30.0


class MailError(DomainError):
    """A mail could not be handed over. The cause is in the log, never the password."""

    def __init__(
        self, message: str = N_("The e-mail could not be sent. Try again later."), **kw: object
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: StartTLS = "auto"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse ``smtp://`` / ``smtps://`` URLs; ``ValueError`` (never showing the password)
        for anything else."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError("PORTAL_SMTP_URL must start with smtp:// or smtps://")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("PORTAL_SMTP_URL has an invalid port") from None
        if not parts.hostname:
            raise ValueError("PORTAL_SMTP_URL has no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = set(query) - {"starttls", "cafile"}
        if unknown:
            raise ValueError(f"PORTAL_SMTP_URL has unknown options: {', '.join(sorted(unknown))}")
        starttls = query.get("starttls", "auto")
        if starttls not in ("auto", "required", "never"):
            raise ValueError("PORTAL_SMTP_URL: starttls must be auto, required or never")
        implicit = scheme == "smtps"
        if implicit and "starttls" in query:
            raise ValueError("PORTAL_SMTP_URL: smtps:// is TLS already; starttls does not apply")
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=starttls,  # type: ignore[arg-type]
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            cafile=query.get("cafile") or None,
        )

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)


@dataclass(frozen=True, slots=True)
class Mailer:
    """Hands mails to the SMTP server, or to the outbox directory when there is none."""

    sender: str
    smtp: SmtpServer | None = None
    outbox: Path | None = None
    timeout: float = SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        smtp = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
        return cls(sender=settings.mail_from, smtp=smtp, outbox=settings.data_dir / "mail")

    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` (a From is added when it has none). Raises ``MailError``."""
        _complete_headers(message, self.sender)
        if self.smtp is None:
            if self.outbox is None:
                raise ValueError("a Mailer needs an SMTP server or an outbox directory")
            try:
                path = await asyncio.to_thread(write_eml, self.outbox, message)
            except OSError as exc:
                log.error("writing a mail into %s failed: %s", self.outbox, exc)
                raise MailError() from None
            log.info("mail for %s written to %s", message["To"], path.name)
            return
        try:
            await self._send_smtp(self.smtp, message)
        except MailError:
            raise
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError, TimeoutError) as exc:
            # str(exc) holds the server's reply or the socket error; the password is never in it
            log.warning(
                "SMTP delivery to %s:%d failed: %s: %s",
                self.smtp.host,
                self.smtp.port,
                type(exc).__name__,
                exc,
            )
            raise MailError() from None

    async def _send_smtp(self, server: SmtpServer, message: EmailMessage) -> None:
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            use_tls=server.implicit_tls,
            start_tls=None if server.implicit_tls else _START_TLS[server.starttls],
            tls_context=server.tls_context(),
            timeout=self.timeout,
        )
        async with client:
            if server.username is not None:
                encrypted = client.get_transport_info("sslcontext") is not None
                if not encrypted and not server.is_loopback:
                    log.error(
                        "SMTP server %s:%d offers no TLS; not sending the credentials in clear "
                        "(use smtps:// or a server with STARTTLS)",
                        server.host,
                        server.port,
                    )
                    raise MailError()
                await client.login(server.username, server.password or "")
            await client.send_message(message)


_START_TLS: dict[str, bool | None] = {"auto": None, "required": True, "never": False}


def _complete_headers(message: EmailMessage, sender: str) -> None:
    if message["From"] is None:
        message["From"] = sender
    if message["Date"] is None:
        message["Date"] = formatdate(usegmt=True)
    if message["Message-ID"] is None:
        domain = parseaddr(str(message["From"]))[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(domain=domain)


def write_eml(directory: Path, message: EmailMessage) -> Path:
    """Write ``message`` as a new ``.eml`` file in ``directory`` (made 0700), atomically."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{secrets.token_hex(6)}.eml"
    temp = directory / f".{name}.tmp"
    data = message.as_bytes()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        final = directory / name
        os.rename(temp, final)  # the name is new (random part), so nothing is replaced
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return final
