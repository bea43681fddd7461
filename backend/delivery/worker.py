"""The delivery worker: claims batches of approved invoices and delivers each by its channel.

One batch: claim (``queue.claim``), load, deliver every invoice at once (mails are made in the
render pool and handed to a few SMTP connections reused for the batch), record all outcomes in
one transaction, then tell the recipients' users of what reached their inbox. Several batches
(``lanes``) are in flight at a time, so the database, the render processes and the mail server
are busy together; while a batch runs, its claim is renewed so no other worker takes it over.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any, TypeVar

from ..domain.states import InvoiceState
from ..mail.outbox import SmtpServer
from ..services.context import Portal
from . import queue
from .events import EventKind
from .queue import Event, Job, Outcome
from .render import (
    InvoiceMailSpec,
    NotificationSpec,
    RenderPool,
    build_invoice_mail,
    build_notification,
)
from .smtp import DEFAULT_CONNECTIONS, MailTransport, SendFailed

log = logging.getLogger(__name__)

R = TypeVar("R")

DEFAULT_BATCH = 50
DEFAULT_LANES = 2
POLL_INTERVAL = 1.0
MAX_BACKOFF_POLLS = 60  # after failures, wait up to this many poll intervals


@dataclass(frozen=True, slots=True)
class LoginLine:
    """Where recipients log in, for the ``ssh`` line in notification mails."""

    host: str
    port: int


def worker_name() -> str:
    """``host:pid:random``: unique per worker process, and says where it ran."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class DeliveryWorker:
    def __init__(
        self,
        portal: Portal,
        *,
        login: LoginLine,
        render: RenderPool | None = None,
        batch_size: int = DEFAULT_BATCH,
        lanes: int = DEFAULT_LANES,
        lease: timedelta = queue.LEASE,
        smtp_connections: int = DEFAULT_CONNECTIONS,
        poll_interval: float = POLL_INTERVAL,
        name: str | None = None,
        transport: Callable[[], MailTransport] | None = None,
    ) -> None:
        if batch_size < 1 or lanes < 1:
            raise ValueError("batch_size and lanes must be at least 1")
        self.portal = portal
        self.login = login
        self._owns_render = render is None
        self.render = render or RenderPool(0)
        self.batch_size = batch_size
        self.lanes = lanes
        self.lease = lease
        self.poll_interval = poll_interval
        self.name = name or worker_name()
        settings = portal.settings
        if transport is None and settings.smtp_url:
            SmtpServer.from_url(settings.smtp_url)  # a wrong URL stops the worker at once
        self.mail_from = settings.mail_from
        self.envelope_from = parseaddr(settings.mail_from)[1] or "noreply@localhost"
        self._transport = transport or (
            lambda: MailTransport(settings, connections=smtp_connections)
        )
        self.processed = 0  # invoices with a recorded outcome, for reports and benchmarks
        # Database calls get threads of their own: a lease renewal must never queue behind
        # anything else.
        self._db = ThreadPoolExecutor(2 * lanes, thread_name_prefix="delivery-db")

    async def run(self, stop: asyncio.Event | None = None, *, once: bool = False) -> int:
        """Deliver until ``stop`` is set (or, with ``once``, until nothing is due). A batch
        under way is finished first. Returns how many invoices got an outcome."""
        stop = stop or asyncio.Event()
        try:
            await asyncio.gather(*(self._lane(stop, once) for _ in range(self.lanes)))
        finally:
            self._db.shutdown(wait=False)
            if self._owns_render:
                self.render.close()
        return self.processed

    async def _in_db(self, function: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._db, call)

    async def _lane(self, stop: asyncio.Event, once: bool) -> None:
        failures = 0
        while not stop.is_set():
            try:
                claimed = await self.run_batch()
                failures = 0
            except Exception as error:
                # e.g. the database is away: its claims run out and are taken again later
                if failures == 0:
                    log.exception("a delivery batch failed")
                else:
                    log.warning("a delivery batch failed again: %s", error)
                failures += 1
                claimed = 0
                if once:
                    raise
            if claimed:
                continue
            if once:
                return
            wait = self.poll_interval * min(2**failures, MAX_BACKOFF_POLLS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)

    async def run_batch(self) -> int:
        """Claim and deliver one batch; the number of invoices claimed."""
        loop = asyncio.get_running_loop()
        claimed_at = loop.time()
        claims = await self._in_db(
            queue.claim, self.portal, self.name, self.batch_size, lease=self.lease
        )
        if not claims:
            return 0
        lease = _Lease(claimed_at + self.lease.total_seconds())
        ids = [c.invoice_id for c in claims]
        transport = self._transport()  # its connections serve the whole batch
        heartbeat = asyncio.create_task(self._keep_claim(ids, lease))
        try:
            try:
                jobs = await self._in_db(queue.load_jobs, self.portal, claims)
                results = await asyncio.gather(
                    *(self._deliver(job, transport, lease) for job in jobs)
                )
            finally:
                # Stopped (and any renewal under way finished) before the results are written:
                # a renewal and the results must not lock the same rows at once.
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
            outcomes = [o for o in results if o is not None]
            recorded = await self._in_db(queue.complete, self.portal, self.name, outcomes)
            self.processed += len(recorded)
            delivered = {o.invoice_id for o in recorded if o.kind is EventKind.INBOX}
            notify = [j for j in jobs if j.invoice_id in delivered and j.notify]
            await self._notify(notify, transport)
        finally:
            await transport.close()
        return len(claims)

    async def _keep_claim(self, ids: list[int], lease: _Lease) -> None:
        loop = asyncio.get_running_loop()
        seconds = self.lease.total_seconds()
        while True:
            await asyncio.sleep(seconds / 3)
            started = loop.time()
            renewal = loop.run_in_executor(
                self._db, functools.partial(queue.renew, self.portal, self.name, ids, self.lease)
            )
            try:
                await asyncio.shield(renewal)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await renewal  # let a renewal under way end before the caller goes on
                raise
            except Exception:
                log.warning("renewing the claim on a batch failed", exc_info=True)
                continue
            lease.valid_until = started + seconds

    async def _deliver(self, job: Job, transport: MailTransport, lease: _Lease) -> Outcome | None:
        if job.problem:
            return _failed(job, job.problem)
        if job.to_inbox:
            return Outcome(
                job.invoice_id,
                InvoiceState.DELIVERED,
                EventKind.INBOX,
                job.facts.recipient_name,
                inbox_company_id=job.inbox_company_id,
            )
        assert job.invoice is not None
        spec = InvoiceMailSpec(
            job.invoice, job.facts, job.email, job.language, self.mail_from, job.reply_to
        )
        rendered = await self.render.run(build_invoice_mail, spec)
        if rendered.error:
            return _failed(job, rendered.error)
        if not lease.holds(self.lease.total_seconds() / 6):
            # The claim may have run out (renewals failing, a stalled machine): another worker
            # may be sending this one. Leave it to whoever holds it rather than mail it twice.
            log.warning("claim on invoice %d ran out before sending; left", job.invoice_id)
            return None
        try:
            await transport.send(rendered.data, sender=self.envelope_from, recipients=[job.email])
        except SendFailed as error:
            wait = queue.backoff(job.attempt) if error.temporary else None
            if wait is None:
                return _failed(job, error.text)
            return Outcome(
                job.invoice_id,
                InvoiceState.APPROVED,
                EventKind.RETRY,
                error.text,
                error=error.text,
                retry_after=wait,
            )
        return Outcome(job.invoice_id, InvoiceState.DELIVERED, EventKind.MAILED, job.email)

    async def _notify(self, jobs: list[Job], transport: MailTransport) -> None:
        """Mail the recipients' users about what reached their inbox. A failure here is only
        recorded: the invoice is delivered all the same."""
        if not jobs:
            return
        events = await asyncio.gather(
            *(self._notify_one(job, user, transport) for job in jobs for user in job.notify)
        )
        await self._in_db(queue.record_events, self.portal, events)

    async def _notify_one(
        self, job: Job, user: queue.NotifyUser, transport: MailTransport
    ) -> Event:
        spec = NotificationSpec(
            job.facts,
            user.email,
            user.language,
            self.login.host,
            self.login.port,
            self.mail_from,
            job.invoice if user.with_pdf else None,
        )
        rendered = await self.render.run(build_notification, spec)
        problem = rendered.error
        if not problem:
            try:
                await transport.send(
                    rendered.data, sender=self.envelope_from, recipients=[user.email]
                )
            except SendFailed as error:
                problem = error.text
        if problem:
            return Event(
                job.invoice_id,
                job.channel,
                InvoiceState.DELIVERED,
                EventKind.NOTIFY_FAILED,
                f"{user.email}: {problem}",
            )
        return Event(
            job.invoice_id, job.channel, InvoiceState.DELIVERED, EventKind.NOTIFIED, user.email
        )


@dataclass
class _Lease:
    """Until when (event loop time) this worker surely holds a batch's claim."""

    valid_until: float

    def holds(self, margin: float) -> bool:
        return asyncio.get_running_loop().time() < self.valid_until - margin


def _failed(job: Job, error: str) -> Outcome:
    return Outcome(job.invoice_id, InvoiceState.FAILED, EventKind.FAILED, error, error=error)
