"""Handing delivery mails over: a few reused SMTP connections, and what a failure means.

Unlike the account mails (``backend.mail.Mailer``: one connection per mail, any failure is
"try again later"), the worker must know whether to try again. ``SendFailed.temporary`` says
so: 4xx replies, refused or dropped connections and timeouts are temporary; 5xx replies to the
recipient or the message are permanent and carry the server's own words. Problems with our own
relay (greeting, HELO, login, sender refused, no STARTTLS) are temporary whatever the code: the
invoice is not at fault, and the operator can mend the relay before the retries run out.

Without ``PORTAL_SMTP_URL`` the mails go to ``DATA_DIR/mail/*.eml`` like every other mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import functools
import logging
import ssl
from collections.abc import Sequence
from pathlib import Path

import aiosmtplib

from ..config import Settings
from ..domain.errors import N_
from ..mail.outbox import SMTP_TIMEOUT_SECONDS, SmtpServer, write_eml

log = logging.getLogger(__name__)

DEFAULT_CONNECTIONS = 4
NO_TLS = N_("The mail server offers no encryption, so the portal did not send its login.")
_RELAY_ERRORS = (
    aiosmtplib.SMTPConnectResponseError,
    aiosmtplib.SMTPHeloError,
    aiosmtplib.SMTPAuthenticationError,
    aiosmtplib.SMTPSenderRefused,
)


class SendFailed(Exception):
    def __init__(self, text: str, *, temporary: bool) -> None:
        super().__init__(text)
        self.text = text
        self.temporary = temporary


def classify(error: BaseException) -> SendFailed:
    """What a failed SMTP exchange means for the invoice."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, _RELAY_ERRORS):
        return SendFailed(f"{error.code} {error.message}", temporary=True)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return SendFailed(f"{error.code} {error.message}", temporary=error.code < 500)
    if isinstance(error, aiosmtplib.SMTPException | OSError | TimeoutError | ssl.SSLError):
        return SendFailed(str(error) or type(error).__name__, temporary=True)
    raise error


class MailTransport:
    """Sends raw mails through at most ``connections`` SMTP connections at once, reusing each
    for many mails; a connection that failed is dropped and a new one made on demand."""

    def __init__(
        self,
        settings: Settings,
        *,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.server = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
        self.outbox: Path = settings.data_dir / "mail"
        self.timeout = timeout
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(max(1, connections))

    async def send(self, data: bytes, *, sender: str, recipients: Sequence[str]) -> None:
        """Hand one mail over; ``SendFailed`` if that did not happen."""
        if self.server is None:
            message = email.message_from_bytes(data, policy=email.policy.default)
            try:
                await asyncio.to_thread(write_eml, self.outbox, message)  # type: ignore[arg-type]
            except OSError as error:
                raise SendFailed(str(error), temporary=True) from None
            return
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            try:
                if client is None or not client.is_connected:
                    client = await self._connect(self.server)
                await client.sendmail(sender, list(recipients), data)
            except asyncio.CancelledError:
                if client is not None:
                    await _drop(client)
                raise
            except Exception as error:
                if client is not None:
                    if _reusable_after(error) and client.is_connected:
                        self._idle.append(client)  # the envelope was reset: fine for the next
                    else:
                        await _drop(client)
                raise classify(error) from None
            self._idle.append(client)

    async def _connect(self, server: SmtpServer) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            use_tls=server.implicit_tls,
            start_tls={"auto": None, "required": True, "never": False}[server.starttls],
            tls_context=_tls_context(server.cafile),
            timeout=self.timeout,
        )
        await client.connect()
        if server.username is not None:
            encrypted = client.get_transport_info("sslcontext") is not None
            if not encrypted and not server.is_loopback:
                await _drop(client)
                raise aiosmtplib.SMTPNotSupported(NO_TLS)
            await client.login(server.username, server.password or "")
        return client

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.quit(), 2.0)
            await _drop(client)


@functools.lru_cache(maxsize=4)
def _tls_context(cafile: str | None) -> ssl.SSLContext:
    """Made once: loading the system's CA certificates takes a fifth of a second."""
    return ssl.create_default_context(cafile=cafile)


def _reusable_after(error: Exception) -> bool:
    return isinstance(
        error, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused
    ) and not isinstance(error, _RELAY_ERRORS)


async def _drop(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        client.close()
