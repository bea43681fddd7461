"""One invoice never takes its batch along (a name the mail headers refuse, a render that
raises, a render process that dies, a surprise in the mail transport, a notification that
fails), a batch cut off by a stop keeps the outcomes of what it finished, each batch has a
claim of its own, a worker in ``serve`` that cannot start says so, and the history tells the
sender how many of the recipient's users were notified, never who."""

from __future__ import annotations

import asyncio
import io
import logging
import operator
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from fpdf.errors import FPDFException
from sqlalchemy import Engine, update

from backend.config import Settings
from backend.db.models import InvoiceRow
from backend.db.models.accounts import Notification
from backend.delivery.events import EventKind, event_text, parse_detail
from backend.delivery.render import (
    NOT_RENDERED,
    InvoiceMailSpec,
    NotificationSpec,
    Rendered,
    RenderPool,
    build_invoice_mail,
    build_notification,
)
from backend.delivery.runner import BackgroundWorker
from backend.delivery.smtp import MailTransport
from backend.delivery.worker import UNEXPECTED
from backend.domain.states import InvoiceState
from backend.i18n import translator
from backend.mail.invoice_mail import clean_line
from backend.services.context import Portal
from tests.services.conftest import FAST_HASHER, World
from tests.tui.conftest import marked_translators

from .conftest import (
    LOGIN,
    Customers,
    ScriptedSmtp,
    approved,
    deliver,
    event_details,
    make_worker,
    row,
    set_notification,
)

JANSEN = "jansen@example.nl"
SVENSSON = "ekonomi@svensson.example"


def _details(portal: Portal, invoice_id: int) -> list[tuple[EventKind | None, str]]:
    return [parse_detail(d) for d in event_details(portal, invoice_id)]


def _subjects(smtp: ScriptedSmtp, address: str) -> list[str]:
    return sorted(str(m["Subject"]) for m in smtp.to(address))


async def _until(condition: Callable[[], bool], limit: float = 60.0) -> None:
    """Wait for ``condition`` (a safety limit only: the tests never assert on time)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not condition():
        assert loop.time() < end, "the condition never came true"
        await asyncio.sleep(0.02)


class FailingRender(RenderPool):
    """Threads like ``RenderPool(0)``, but the mails for which ``fails(spec)`` is true raise
    what fpdf raises for a text it cannot lay out."""

    def __init__(self, fails: Callable[[Any], bool]) -> None:
        super().__init__(0)
        self.fails = fails

    async def run(self, function: Callable[..., Any], *args: object) -> Any:
        if self.fails(args[0]):
            raise FPDFException("Not enough horizontal space to render a single character")
        return await super().run(function, *args)


# -- finding: one failing job threw away the whole batch -------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\n", "\x1e", "\u202e"])
def test_a_line_is_one_line_whatever_separates_it(separator: str) -> None:
    assert clean_line(f"Acme{separator}AB") == "Acme AB"


def test_a_company_name_with_a_line_separator_goes_on_one_header_line(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    ids = approved(portal, world, register.jansen, 3)
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == ids[1])
            .values(sender_name="Acme\u2028AB\x85 Stockholm")
        )

    assert deliver(portal) == 3

    assert {row(portal, i).state for i in ids} == {InvoiceState.DELIVERED}
    numbers = [row(portal, i).number for i in ids]
    subjects = _subjects(smtp, JANSEN)
    assert len(subjects) == 3  # each exactly once
    assert all(sum(n in s for s in subjects) == 1 for n in numbers)
    [odd] = [m for m in smtp.to(JANSEN) if numbers[1] in str(m["Subject"])]
    assert "Acme AB Stockholm via Invoice Portal" in str(odd["From"])
    assert "Acme AB Stockholm" in str(odd["Subject"])


def test_a_render_that_raises_fails_that_invoice_only(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    ids = approved(portal, world, register.jansen, 3)
    bad = row(portal, ids[1]).number
    render = FailingRender(lambda spec: spec.facts.number == bad)

    assert deliver(portal, render=render) == 3
    render.close()

    stored = [row(portal, i) for i in ids]
    assert [r.state for r in stored] == [
        InvoiceState.DELIVERED,
        InvoiceState.FAILED,
        InvoiceState.DELIVERED,
    ]
    assert stored[1].last_error == NOT_RENDERED
    subjects = _subjects(smtp, JANSEN)
    assert len(subjects) == 2 and not any(bad in s for s in subjects)
    assert (EventKind.FAILED, NOT_RENDERED) in _details(portal, ids[1])
    text = event_text(marked_translators("sv"), event_details(portal, ids[1])[-1])
    assert text == f"[sv]Delivery failed: [sv]{NOT_RENDERED}"


def test_the_builders_never_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date
    from decimal import Decimal

    from backend.domain.invoice import DocumentKind
    from backend.formats import pdf
    from backend.mail.invoice_mail import InvoiceFacts
    from tests.formats.invoice_samples import swedish_invoice

    facts = InvoiceFacts(
        DocumentKind.INVOICE,
        "A-17",
        "Acme AB",
        "Bakker BV",
        Decimal("10"),
        "SEK",
        date(2026, 12, 1),
    )

    def fails(*_: object) -> bytes:
        raise FPDFException("Not enough horizontal space to render a single character")

    monkeypatch.setattr(pdf, "render_pdf", fails)
    invoice = swedish_invoice()
    spec = InvoiceMailSpec(invoice, facts, JANSEN, "nl", "Portal <noreply@portal.example>")
    assert build_invoice_mail(spec) == Rendered(error=NOT_RENDERED)
    note = NotificationSpec(facts, JANSEN, "nl", "portal.example", 22, "noreply@x.example", invoice)
    assert build_notification(note) == Rendered(error=NOT_RENDERED)


def test_a_surprise_in_the_mail_transport_is_tried_again_for_that_invoice_only(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    [to_jansen] = approved(portal, world, register.jansen)
    [to_svensson] = approved(portal, world, register.svensson)

    class Surprising(MailTransport):
        async def send(self, data: bytes, *, sender: str, recipients: Any) -> None:
            if SVENSSON in recipients:
                raise RuntimeError("a bug")
            await super().send(data, sender=sender, recipients=recipients)

    assert deliver(portal, transport=lambda: Surprising(portal.settings)) == 2

    assert row(portal, to_jansen).state is InvoiceState.DELIVERED
    assert len(smtp.to(JANSEN)) == 1
    stored = row(portal, to_svensson)
    assert stored.state is InvoiceState.APPROVED  # tried again later, like a temporary error
    assert stored.last_error == UNEXPECTED and stored.next_attempt_at is not None


def test_a_render_process_that_died_is_replaced_and_the_batch_delivered(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    ids = approved(portal, world, register.jansen, 3)
    render = RenderPool(1, niceness=0)
    try:
        render.warm()
        executor = render._executor
        assert isinstance(executor, ProcessPoolExecutor)
        for pid in list(executor._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)  # as the OOM killer would
        with pytest.raises(BrokenProcessPool):  # the old pool refuses all work for good
            executor.submit(operator.add, 1, 2).result(timeout=60)

        assert deliver(portal, render=render) == 3

        assert render.restarts == 1
        assert {row(portal, i).state for i in ids} == {InvoiceState.DELIVERED}
        assert len(smtp.to(JANSEN)) == 3
    finally:
        render.close()


def test_a_render_that_kills_its_process_every_time_fails_and_the_pool_goes_on() -> None:
    render = RenderPool(1, niceness=0)

    async def run() -> int:
        with pytest.raises(BrokenProcessPool):
            await render.run(os._exit, 1)  # type: ignore[arg-type]
        return await render.run(operator.add, 1, 2)

    try:
        assert asyncio.run(run()) == 3
        assert render.restarts == 2  # tried once more in new processes, which it killed too
    finally:
        render.close()


def test_one_failing_notification_loses_no_other(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    set_notification(portal, world.bakker_admin.user_id, Notification.EMAIL)
    set_notification(portal, world.bakker_member.user_id, Notification.EMAIL_PDF)
    [invoice_id] = approved(portal, world, register.bakker)
    render = FailingRender(lambda spec: isinstance(spec, NotificationSpec) and spec.invoice)

    assert deliver(portal, render=render) == 1
    render.close()

    assert row(portal, invoice_id).state is InvoiceState.DELIVERED
    assert len(smtp.messages) == 1  # the user without the PDF was told
    details = _details(portal, invoice_id)
    assert (EventKind.NOTIFIED, "1") in details
    assert (EventKind.NOTIFY_FAILED, "1") in details


# -- finding: a stop cut the batch and its outcomes were lost ---------------------------------


def test_a_batch_cut_by_a_stop_keeps_the_outcomes_of_the_mails_already_sent(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    to_jansen = approved(portal, world, register.jansen, 3)
    [to_svensson] = approved(portal, world, register.svensson)
    smtp.hold.add(SVENSSON)  # its mail server does not answer
    handed_over = 0

    class Counting(MailTransport):
        async def send(self, data: bytes, *, sender: str, recipients: Any) -> None:
            nonlocal handed_over
            await super().send(data, sender=sender, recipients=recipients)
            handed_over += 1

    async def serve_and_stop() -> None:
        worker = make_worker(portal, transport=lambda: Counting(portal.settings))
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        await _until(lambda: handed_over == 3 and smtp.held == [SVENSSON])
        # what BackgroundWorker.stop does when SIGTERM reaches serve and the grace runs out
        stop.set()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(task, 0.1)

    asyncio.run(serve_and_stop())

    for invoice_id in to_jansen:
        assert row(portal, invoice_id).state is InvoiceState.DELIVERED
        assert [k for k, _ in _details(portal, invoice_id)].count(EventKind.MAILED) == 1
    stored = row(portal, to_svensson)
    assert stored.state is InvoiceState.SENDING  # unknown: its claim runs out, then tried again
    assert EventKind.MAILED not in [k for k, _ in _details(portal, to_svensson)]
    # after the restart only the unfinished one is due (once its claim has run out)
    assert deliver(portal) == 0


# -- finding: claims belonged to the process, not the batch ----------------------------------


def test_each_batch_of_a_worker_has_its_own_claim(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    ids = approved(portal, world, register.jansen, 2)
    smtp.hold.add(JANSEN)
    worker = make_worker(portal, lanes=2, batch_size=1)

    async def two_batches() -> list[str]:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        await _until(lambda: len(smtp.held) == 2)
        owners = [row(portal, i).claimed_by for i in ids]
        smtp.released = True
        stop.set()
        await task
        return owners

    owners = asyncio.run(two_batches())

    assert owners[0] != owners[1]
    assert all(o.startswith(f"{worker.name}:") for o in owners)
    assert {row(portal, i).state for i in ids} == {InvoiceState.DELIVERED}


# -- finding: the worker in serve could die at start without a word ----------------------------


def test_a_worker_in_serve_that_cannot_start_says_so(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    portal = Portal(
        engine,
        Settings(data_dir=tmp_path, database_url=str(engine.url), smtp_url="http://mail.example"),
        password_hasher=FAST_HASHER,
    )
    err = io.StringIO()

    async def start_and_stop() -> bool:
        worker = BackgroundWorker(portal, LOGIN, processes=0, err=err)
        await _until(lambda: not worker.running)
        await worker.stop()  # already reported: no second report, no exception
        return worker.running

    with caplog.at_level(logging.ERROR, logger="backend.delivery.runner"):
        assert asyncio.run(start_and_stop()) is False

    said = err.getvalue()
    assert said.count("The delivery worker stopped") == 1
    assert "PORTAL_SMTP_URL must start with smtp:// or smtps://" in said
    assert any("delivery worker stopped" in r.getMessage() for r in caplog.records)


# -- the history: counts of notified users, imports, in the reader's language -----------------


def test_notification_counts_and_imports_are_shown_in_the_readers_language() -> None:
    en = translator("en")
    assert event_text(en, "notified: 1") == "1 user of the recipient was notified by e-mail"
    assert event_text(en, "notified: 2") == "2 users of the recipient were notified by e-mail"
    assert (
        event_text(en, "notify_failed: 3")
        == "The notification e-mail to 3 users of the recipient failed"
    )
    assert event_text(en, "imported: nb.xml") == "Imported from the uploaded file nb.xml"
    sv = marked_translators("sv")
    assert event_text(sv, "notify_failed: 1").startswith("[sv]")
    assert event_text(sv, "imported: nb.xml") == "[sv]Imported from the uploaded file nb.xml"
