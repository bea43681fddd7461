"""Temporary errors are tried again later with growing waits, permanent ones fail at once with
the server's words, a failed invoice goes back to the queue by hand, and a dead worker's claim
is taken over."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from backend.delivery import queue
from backend.delivery.events import EventKind, parse_detail
from backend.delivery.worker import _Lease
from backend.domain.errors import TransitionError
from backend.domain.states import InvoiceState
from backend.services import sending
from backend.services.context import Portal
from backend.services.errors import NotFound, PermissionDenied
from tests.mail.conftest import free_port
from tests.services.conftest import World

from .conftest import (
    Clock,
    Customers,
    ScriptedSmtp,
    approved,
    deliver,
    event_details,
    make_worker,
    row,
)


def _kinds(portal: Portal, invoice_id: int) -> list[EventKind | None]:
    return [parse_detail(d)[0] for d in event_details(portal, invoice_id)]


def test_a_4xx_answer_is_tried_again_later_and_then_delivered(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp, clock: Clock
) -> None:
    smtp.data_replies.append("451 4.3.0 Mail server busy, try again later")
    [invoice_id] = approved(portal, world, register.jansen)

    deliver(portal)

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.APPROVED
    assert stored.attempts == 1
    assert stored.last_error == "451 4.3.0 Mail server busy, try again later"
    assert stored.next_attempt_at == clock.now + timedelta(seconds=30)
    assert smtp.messages == []

    assert deliver(portal) == 0  # not due yet
    clock.advance(seconds=30)
    assert deliver(portal) == 1

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.DELIVERED and stored.last_error == ""
    assert len(smtp.to("jansen@example.nl")) == 1
    assert _kinds(portal, invoice_id) == [
        EventKind.CLAIMED,
        EventKind.RETRY,
        EventKind.CLAIMED,
        EventKind.MAILED,
    ]


def test_a_5xx_answer_fails_at_once_with_the_servers_message(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp, clock: Clock
) -> None:
    smtp.rcpt_replies["jansen@example.nl"] = ["550 5.1.1 <jansen@example.nl>: no such user"]
    [invoice_id] = approved(portal, world, register.jansen)

    deliver(portal)

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.FAILED
    assert stored.last_error == "550 5.1.1 <jansen@example.nl>: no such user"
    clock.advance(hours=24)
    assert deliver(portal) == 0  # no automatic retry
    assert _kinds(portal, invoice_id) == [EventKind.CLAIMED, EventKind.FAILED]


def test_a_refused_connection_is_retried_with_growing_waits_until_it_fails(
    portal: Portal, world: World, register: Customers, clock: Clock
) -> None:
    closed = replace(portal.settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    nowhere = Portal(portal.engine, closed, password_hasher=portal.password_hasher, clock=clock)
    [invoice_id] = approved(portal, world, register.jansen)

    waits = []
    for attempt in range(1, queue.MAX_ATTEMPTS):
        assert deliver(nowhere) == 1
        stored = row(portal, invoice_id)
        assert stored.state is InvoiceState.APPROVED and stored.attempts == attempt
        assert stored.last_error  # the socket's complaint
        assert stored.next_attempt_at is not None
        waits.append(stored.next_attempt_at - clock.now)
        clock.now = stored.next_attempt_at
    assert waits == list(queue.BACKOFF)
    assert waits == sorted(waits)

    deliver(nowhere)
    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.FAILED and stored.attempts == queue.MAX_ATTEMPTS


def test_an_approver_puts_a_failed_invoice_back_in_the_queue(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    smtp.rcpt_replies["jansen@example.nl"] = ["550 5.7.1 Rejected"]
    [invoice_id] = approved(portal, world, register.jansen)
    deliver(portal)
    assert row(portal, invoice_id).state is InvoiceState.FAILED

    with pytest.raises(PermissionDenied):  # bo may not approve
        sending.retry_delivery(portal, world.acme_member.actor, invoice_id)
    with pytest.raises(NotFound):
        sending.retry_delivery(portal, world.bakker_admin.actor, invoice_id)
    sending.retry_delivery(portal, world.acme_admin.actor, invoice_id)

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.APPROVED and stored.attempts == 0
    [status] = sending.delivery_statuses(portal, world.acme_member.actor, [invoice_id])
    assert status.state is InvoiceState.APPROVED
    deliver(portal)
    assert row(portal, invoice_id).state is InvoiceState.DELIVERED
    assert parse_detail(event_details(portal, invoice_id)[2]) == (
        EventKind.REQUEUED,
        "anna@acme.se",
    )
    with pytest.raises(TransitionError):  # delivered: nothing to retry
        sending.retry_delivery(portal, world.acme_admin.actor, invoice_id)


def test_a_dead_workers_claim_runs_out_and_another_worker_delivers(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp, clock: Clock
) -> None:
    ids = approved(portal, world, register.bakker, 3)
    claims = queue.claim(portal, "dead-worker", 10, lease=timedelta(seconds=60))
    assert sorted(c.invoice_id for c in claims) == ids
    assert {row(portal, i).state for i in ids} == {InvoiceState.SENDING}

    assert deliver(portal) == 0  # the claim still holds
    clock.advance(seconds=61)
    assert deliver(portal) == 3

    for invoice_id in ids:
        assert row(portal, invoice_id).state is InvoiceState.DELIVERED
        kinds = _kinds(portal, invoice_id)
        assert kinds.count(EventKind.INBOX) == 1 and EventKind.RECLAIMED in kinds
    # the dead worker coming back to life records nothing over the new result
    late = [queue.Outcome(i, InvoiceState.FAILED, EventKind.FAILED, "x", error="x") for i in ids]
    assert queue.complete(portal, "dead-worker", late) == []
    assert {row(portal, i).state for i in ids} == {InvoiceState.DELIVERED}


def test_an_invoice_interrupted_too_often_fails(
    portal: Portal, world: World, register: Customers, clock: Clock
) -> None:
    [invoice_id] = approved(portal, world, register.bakker)
    for _ in range(queue.MAX_ATTEMPTS):
        assert len(queue.claim(portal, "crashing", 10, lease=timedelta(seconds=5))) == 1
        clock.advance(seconds=6)
    assert queue.claim(portal, "crashing", 10) == []
    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.FAILED
    assert stored.last_error == queue.INTERRUPTED


def test_a_long_batch_keeps_its_claim(
    portal: Portal, world: World, register: Customers, clock: Clock
) -> None:
    """The worker renews its lease while it works, so nobody takes the batch over."""
    [invoice_id] = approved(portal, world, register.bakker)
    worker = make_worker(portal, lease=timedelta(seconds=0.3))

    owner = worker.batch_owner()

    async def work_long() -> None:
        claims = await asyncio.to_thread(queue.claim, portal, owner, 5, lease=worker.lease)
        clock.advance(seconds=10)  # far past the first lease
        lease = _Lease(asyncio.get_running_loop().time() + 0.3)
        keeper = asyncio.create_task(
            worker._keep_claim(owner, [c.invoice_id for c in claims], lease)
        )
        await asyncio.sleep(0.5)  # renewals every lease / 3
        keeper.cancel()
        assert lease.holds(0.0)  # the worker knows its claim still holds

    asyncio.run(work_long())
    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.SENDING and stored.claimed_by == owner
    assert stored.claimed_until is not None and stored.claimed_until > clock.now
    assert queue.claim(portal, "other-worker", 5) == []
