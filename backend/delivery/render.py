"""Making the mails of a delivery: PDF, UBL and MIME, the CPU-heavy part.

These functions take and return plain picklable values, so the worker can run them in a pool
of processes (``RenderPool``) and keep its event loop, and the other cores, free. Bad content
(an address that is not one, amounts that cannot be computed, a name the mail headers refuse)
comes back as a permanent ``Rendered.error``, never as an exception across the process
boundary. A render process that dies (out of memory, a crash) breaks only the renders under
way in it: ``RenderPool`` starts new processes and tries each of those renders once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from ..domain.errors import N_, DomainError
from ..domain.invoice import Invoice
from ..i18n import translator
from ..mail.invoice_mail import InvoiceFacts, invoice_mail, notification_mail

log = logging.getLogger(__name__)

T = TypeVar("T")

# How much lower than the rest the render processes run (os.nice).
RENDER_NICENESS = 10

BAD_ADDRESS = N_("The recipient's e-mail address is not valid.")
NOT_RENDERED = N_("The invoice could not be made into a PDF and an e-invoice.")


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes = b""
    error: str = ""  # a msgid of a permanent problem; the data is empty then


@dataclass(frozen=True, slots=True)
class InvoiceMailSpec:
    invoice: Invoice
    facts: InvoiceFacts
    to: str
    language: str
    sender: str
    reply_to: str = ""
    ubl: bytes | None = None  # the e-invoice to attach as it is; None: written from ``invoice``


@dataclass(frozen=True, slots=True)
class NotificationSpec:
    facts: InvoiceFacts
    to: str
    language: str
    ssh_host: str
    ssh_port: int
    sender: str
    invoice: Invoice | None = None  # given when the user wants the PDF attached


def build_invoice_mail(spec: InvoiceMailSpec) -> Rendered:
    from ..formats.pdf import render_pdf
    from ..formats.ubl_writer import write_ubl

    try:
        pdf = render_pdf(spec.invoice, translator(spec.language))
        xml = spec.ubl or write_ubl(spec.invoice)
    except Exception:  # fpdf's own errors too: one invoice must never take its batch along
        log.exception("invoice %s could not be rendered", spec.facts.number)
        return Rendered(error=NOT_RENDERED)
    try:
        message = invoice_mail(
            spec.facts,
            to=spec.to,
            language=spec.language,
            pdf=pdf,
            xml=xml,
            sender=spec.sender,
            reply_to=spec.reply_to,
        )
        return Rendered(message.as_bytes())
    except DomainError:
        return Rendered(error=BAD_ADDRESS)
    except Exception:  # e.g. a header the email package refuses
        log.exception("the mail of invoice %s could not be made", spec.facts.number)
        return Rendered(error=NOT_RENDERED)


def build_notification(spec: NotificationSpec) -> Rendered:
    pdf = None
    if spec.invoice is not None:
        from ..formats.pdf import render_pdf

        try:
            pdf = render_pdf(spec.invoice, translator(spec.language))
        except Exception:
            log.exception("invoice %s could not be rendered", spec.facts.number)
            return Rendered(error=NOT_RENDERED)
    try:
        message = notification_mail(
            spec.facts,
            to=spec.to,
            language=spec.language,
            ssh_host=spec.ssh_host,
            ssh_port=spec.ssh_port,
            sender=spec.sender,
            pdf=pdf,
        )
        return Rendered(message.as_bytes())
    except DomainError:
        return Rendered(error=BAD_ADDRESS)
    except Exception:
        log.exception("the notification of invoice %s could not be made", spec.facts.number)
        return Rendered(error=NOT_RENDERED)


def _warm_up() -> None:
    """Import the formats in a new pool process before the first invoice needs them."""
    from ..formats import pdf, ubl_writer  # noqa: F401


def _start_process(niceness: int) -> None:
    # Rendering is batch work: people's sessions on the same machine go first.
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    _warm_up()


class RenderPool:
    """Runs the builders above off the event loop: in ``processes`` worker processes (at a
    lower priority, so interactive sessions on the same machine stay quick), or in two threads
    of its own when ``processes`` is 0 (tests, one small machine). Never in the loop's default
    threads, where the worker's database calls must not wait behind PDFs."""

    def __init__(self, processes: int | None = None, *, niceness: int = RENDER_NICENESS) -> None:
        if processes is None:
            processes = os.cpu_count() or 1
        self.processes = processes
        self.niceness = niceness
        self.restarts = 0  # how often dead render processes were replaced
        self._executor: Executor = self._new_executor()

    def _new_executor(self) -> Executor:
        if self.processes <= 0:
            return ThreadPoolExecutor(2, thread_name_prefix="render")
        # forkserver: children come from a clean process, never a fork of this one with its
        # threads and database connections.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["backend.delivery.render"])
        return ProcessPoolExecutor(
            self.processes,
            mp_context=context,
            initializer=_start_process,
            initargs=(self.niceness,),
        )

    def warm(self) -> None:
        """Start every render process now (each imports the formats), not at the first
        invoice."""
        if isinstance(self._executor, ProcessPoolExecutor):
            for future in [self._executor.submit(_warm_up) for _ in range(self.processes)]:
                future.result()

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in the pool. ``BrokenProcessPool`` only when the render died
        twice, in the broken pool and in the new one (it may be what kills them)."""
        loop = asyncio.get_running_loop()
        for last_try in (False, True):
            executor = self._executor
            try:
                return await loop.run_in_executor(executor, function, *args)
            except BrokenProcessPool:
                self._replace(executor)
                if last_try:
                    raise
        raise AssertionError("unreachable")

    def _replace(self, broken: Executor) -> None:
        """New processes for a pool whose process died: a broken ProcessPoolExecutor refuses
        all work for good. Every render under way sees it break; only the first replaces it."""
        if broken is not self._executor:
            return
        log.error("a render process died; starting new ones")
        self.restarts += 1
        self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
