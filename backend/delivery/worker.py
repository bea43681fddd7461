"""The delivery worker: claims batches of approved invoices and delivers each by its channel.

One batch: claim (``queue.claim``), load, deliver every invoice at once (mails are made in the
render pool and handed to a few SMTP connections reused for the batch), record all outcomes in
one transaction, then tell the recipients' users of what reached their inbox. Several batches
(``lanes``) are in flight at a time, so the database, the render processes and the mail server
are busy together; while a batch runs, its claim is renewed so no other worker takes it over.
A claim belongs to its batch (``claimed_by`` is the worker's name and a token of the batch), so
two lanes of one worker never renew or record each other's invoices.

One invoice never takes its batch along: whatever goes wrong with it (a name the mail headers
refuse, a render process that died, a surprise in the code) becomes that invoice's outcome.
A batch cancelled half-way (``serve`` stopping) still records the outcomes of the invoices it
finished, so a mail the server accepted is never sent again because of the stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any, TypeVar

from ..domain.errors import N_
from ..domain.states import InvoiceState
from ..mail.outbox import SmtpServer
from ..services.context import Portal
from . import queue
from .events import EventKind
from .queue import Event, Job, Outcome
from .render import (
    NOT_RENDERED,
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

RENDER_CRASHED = N_("The program that makes the PDF stopped unexpectedly.")
UNEXPECTED = N_("The delivery stopped on an unexpected error.")


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

    def batch_owner(self) -> str:
        """The ``claimed_by`` of one batch: this worker's name and a token of the batch."""
        return f"{self.name}:{secrets.token_hex(3)}"

    async def run_batch(self) -> int:
        """Claim and deliver one batch; the number of invoices claimed."""
        loop = asyncio.get_running_loop()
        owner = self.batch_owner()
        claimed_at = loop.time()
        claims = await self._in_db(
            queue.claim, self.portal, owner, self.batch_size, lease=self.lease
        )
        if not claims:
            return 0
        lease = _Lease(claimed_at + self.lease.total_seconds())
        ids = [c.invoice_id for c in claims]
        transport = self._transport()  # its connections serve the whole batch
        heartbeat = asyncio.create_task(self._keep_claim(owner, ids, lease))
        try:
            jobs: list[Job] = []
            deliveries: list[asyncio.Task[Outcome | None]] = []
            try:
                jobs = await self._in_db(queue.load_jobs, self.portal, claims)
                deliveries = _start([self._deliver(job, transport, lease) for job in jobs])
                await _finish(deliveries)
            finally:
                # Also when cancelled: what finished is recorded, the rest runs out its claim.
                # The heartbeat is stopped (and any renewal under way finished) first: a
                # renewal and the results must not lock the same rows at once.
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
                outcomes = [o for o in _results(deliveries) if o is not None]
                recorded = await self._in_db(queue.complete, self.portal, owner, outcomes)
                self.processed += len(recorded)
            delivered = {o.invoice_id for o in recorded if o.kind is EventKind.INBOX}
            notify = [j for j in jobs if j.invoice_id in delivered and j.notify]
            await self._notify(notify, transport)
        finally:
            await transport.close()
        return len(claims)

    async def _keep_claim(self, owner: str, ids: list[int], lease: _Lease) -> None:
        loop = asyncio.get_running_loop()
        seconds = self.lease.total_seconds()
        while True:
            await asyncio.sleep(seconds / 3)
            started = loop.time()
            renewal = loop.run_in_executor(
                self._db, functools.partial(queue.renew, self.portal, owner, ids, self.lease)
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
        try:
            return await self._deliver_one(job, transport, lease)
        except Exception:  # a surprise: this invoice is tried again later, the batch goes on
            log.exception("delivering invoice %d failed", job.invoice_id)
            return _retry(job, UNEXPECTED)

    async def _deliver_one(
        self, job: Job, transport: MailTransport, lease: _Lease
    ) -> Outcome | None:
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
            job.invoice, job.facts, job.email, job.language, self.mail_from, job.reply_to, job.ubl
        )
        try:
            rendered = await self.render.run(build_invoice_mail, spec)
        except BrokenProcessPool:  # the pool is new again; perhaps not this invoice's fault
            return _retry(job, RENDER_CRASHED)
        except Exception:
            log.exception("invoice %d could not be rendered", job.invoice_id)
            return _failed(job, NOT_RENDERED)
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
            return _retry(job, error.text) if error.temporary else _failed(job, error.text)
        return Outcome(job.invoice_id, InvoiceState.DELIVERED, EventKind.MAILED, job.email)

    async def _notify(self, jobs: list[Job], transport: MailTransport) -> None:
        """Mail the recipients' users about what reached their inbox. A failure here is only
        recorded: the invoice is delivered all the same.

        The events hold how many users were (or could not be) told, never their addresses or
        the reasons: the history is the sender's, and the recipient's users are none of the
        sender's business (the log has the reasons)."""
        if not jobs:
            return
        pairs = [(job, user) for job in jobs for user in job.notify]
        sending = _start([self._notify_one(job, user, transport) for job, user in pairs])
        try:
            await _finish(sending)
        finally:
            told: dict[int, list[bool]] = {}
            for (job, _), task in zip(pairs, sending, strict=True):
                if task.done() and not task.cancelled() and task.exception() is None:
                    told.setdefault(job.invoice_id, []).append(task.result())
            events = []
            for job in jobs:
                results = told.get(job.invoice_id, [])
                if ok := results.count(True):
                    events.append(_notified(job, EventKind.NOTIFIED, ok))
                if failed := results.count(False):
                    events.append(_notified(job, EventKind.NOTIFY_FAILED, failed))
            await self._in_db(queue.record_events, self.portal, events)

    async def _notify_one(self, job: Job, user: queue.NotifyUser, transport: MailTransport) -> bool:
        """Whether ``user`` was told of ``job``; never raises."""
        spec = NotificationSpec(
            job.facts,
            user.email,
            user.language,
            self.login.host,
            self.login.port,
            self.mail_from,
            job.invoice if user.with_pdf else None,
        )
        try:
            rendered = await self.render.run(build_notification, spec)
            problem = rendered.error
            if not problem:
                await transport.send(
                    rendered.data, sender=self.envelope_from, recipients=[user.email]
                )
        except SendFailed as error:
            problem = error.text
        except BrokenProcessPool:
            problem = RENDER_CRASHED
        except Exception:
            log.exception("the notification about invoice %d failed", job.invoice_id)
            problem = UNEXPECTED
        if problem:
            log.warning("a notification about invoice %d failed: %s", job.invoice_id, problem)
            return False
        return True


@dataclass
class _Lease:
    """Until when (event loop time) this worker surely holds a batch's claim."""

    valid_until: float

    def holds(self, margin: float) -> bool:
        return asyncio.get_running_loop().time() < self.valid_until - margin


def _failed(job: Job, error: str) -> Outcome:
    return Outcome(job.invoice_id, InvoiceState.FAILED, EventKind.FAILED, error, error=error)


def _retry(job: Job, error: str) -> Outcome:
    """Back to the queue after the wait for this attempt; failed after the last one."""
    wait = queue.backoff(job.attempt)
    if wait is None:
        return _failed(job, error)
    return Outcome(
        job.invoice_id, InvoiceState.APPROVED, EventKind.RETRY, error, error=error, retry_after=wait
    )


def _notified(job: Job, kind: EventKind, users: int) -> Event:
    return Event(job.invoice_id, job.channel, InvoiceState.DELIVERED, kind, users)


def _start(work: Sequence[Coroutine[Any, Any, R]]) -> list[asyncio.Task[R]]:
    return [asyncio.create_task(w) for w in work]


async def _finish(tasks: Sequence[asyncio.Task[Any]]) -> None:
    """Wait for every task. Cancelled, cancel those still running and wait until they have
    ended (so the caller can keep what the others finished), then go on being cancelled."""
    if not tasks:
        return
    try:
        await asyncio.wait(tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)


def _results(tasks: Sequence[asyncio.Task[R]]) -> list[R]:
    """The results of the tasks that finished (the others were cancelled)."""
    found = []
    for task in tasks:
        if not task.done() or task.cancelled():
            continue
        if (error := task.exception()) is not None:
            log.error("a delivery task failed", exc_info=error)
            continue
        found.append(task.result())
    return found
