"""The send queue in the database: claim a batch, load what delivering it needs, record results.

Every function is one short transaction and blocking (the worker runs them in a thread).

Claiming takes approved invoices that are due, and ``sending`` ones whose claim has run out
(their worker died), with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on
several machines never take the same row; on SQLite the transaction holds the database's single
write lock (``BEGIN IMMEDIATE``) instead. A claim marks the rows ``sending`` with the worker's
name and a lease; results are written only while the worker still holds that claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import selectinload

from ..db.invoice_mapping import invoice_from_row
from ..db.models import Company, Customer, DeliveryEvent, InvoiceRow, User
from ..db.models.accounts import Notification
from ..db.models.customers import DeliveryChannel
from ..db.models.invoices import IN_SEND_QUEUE
from ..domain.errors import N_
from ..domain.invoice import Invoice
from ..domain.states import CustomerLinkState, InvoiceState
from ..mail.invoice_mail import InvoiceFacts
from ..services.context import Portal
from .events import EventKind, event_detail

LEASE = timedelta(seconds=60)
# Waits after the 1st, 2nd, ... temporary failure; after the last one the invoice fails.
BACKOFF: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1

NOT_APPROVED = N_("The customer has not approved invoices from you.")
NO_ADDRESS = N_("The customer has no e-mail address.")
INTERRUPTED = N_("The delivery was interrupted too often.")

_INBOX_CHANNELS = (DeliveryChannel.PORTAL, DeliveryChannel.BUSINESS_SYSTEM)
_LANGUAGE_OF_COUNTRY = {"SE": "sv", "NL": "nl", "BE": "nl"}


@dataclass(frozen=True, slots=True)
class Claim:
    invoice_id: int
    attempt: int


@dataclass(frozen=True, slots=True)
class NotifyUser:
    email: str
    language: str
    with_pdf: bool


@dataclass(slots=True)
class Job:
    """One claimed invoice with everything its delivery needs, detached from the database."""

    invoice_id: int
    attempt: int
    channel: DeliveryChannel
    facts: InvoiceFacts
    invoice: Invoice | None = None  # loaded for e-mail, and for notifications with the PDF
    # The e-invoice as a business system handed it in, sent as it is (see integration.pipeline)
    ubl: bytes | None = None
    problem: str = ""  # a permanent reason not to deliver at all (a msgid)
    # e-mail channel
    email: str = ""
    language: str = "en"
    reply_to: str = ""
    # portal inbox / business system
    inbox_company_id: int | None = None
    notify: list[NotifyUser] = field(default_factory=list)

    @property
    def to_inbox(self) -> bool:
        return self.channel in _INBOX_CHANNELS


@dataclass(frozen=True, slots=True)
class Outcome:
    invoice_id: int
    state: InvoiceState  # DELIVERED, APPROVED (try again later) or FAILED
    kind: EventKind
    data: str = ""  # the event's data: the address, the company, the error
    error: str = ""  # last_error: a msgid of ours or the server's words
    inbox_company_id: int | None = None
    retry_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Event:
    invoice_id: int
    channel: DeliveryChannel
    state: InvoiceState
    kind: EventKind
    data: object = ""


def language_for_country(*countries: str | None) -> str:
    """The mail language for a customer outside the portal (who has no language setting): the
    first known country decides, SE -> sv, NL and BE -> nl, any other -> en."""
    for country in countries:
        if country:
            return _LANGUAGE_OF_COUNTRY.get(country.upper(), "en")
    return "en"


def backoff(attempt: int) -> timedelta | None:
    """The wait after temporary failure number ``attempt``; None when it was the last try."""
    return BACKOFF[attempt - 1] if 0 < attempt <= len(BACKOFF) else None


def claim(portal: Portal, worker: str, limit: int, *, lease: timedelta = LEASE) -> list[Claim]:
    """Mark up to ``limit`` due invoices ``sending`` for ``worker``."""
    now = portal.clock()
    with portal.transaction(writes=True) as session:
        due = or_(
            and_(
                InvoiceRow.state == InvoiceState.APPROVED,
                or_(InvoiceRow.next_attempt_at.is_(None), InvoiceRow.next_attempt_at <= now),
            ),
            and_(InvoiceRow.state == InvoiceState.SENDING, InvoiceRow.claimed_until < now),
        )
        rows = session.execute(
            select(InvoiceRow.id, InvoiceRow.state, InvoiceRow.attempts, InvoiceRow.channel)
            .where(IN_SEND_QUEUE, due)
            .order_by(InvoiceRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=InvoiceRow)
        ).all()
        if not rows:
            return []
        events: list[Event] = []
        worn_out = [
            r for r in rows if r.state is InvoiceState.SENDING and r.attempts >= MAX_ATTEMPTS
        ]
        if worn_out:
            _update(
                session,
                [r.id for r in worn_out],
                state=InvoiceState.FAILED,
                last_error=INTERRUPTED,
                claimed_by="",
                claimed_until=None,
            )
            events += [
                Event(r.id, r.channel, InvoiceState.FAILED, EventKind.FAILED, INTERRUPTED)
                for r in worn_out
            ]
        worn_ids = {r.id for r in worn_out}
        taken = [r for r in rows if r.id not in worn_ids]
        if taken:
            _update(
                session,
                [r.id for r in taken],
                state=InvoiceState.SENDING,
                attempts=InvoiceRow.attempts + 1,
                claimed_by=worker,
                claimed_until=now + lease,
                next_attempt_at=None,
            )
        for r in taken:
            if r.state is InvoiceState.SENDING:
                events.append(
                    Event(r.id, r.channel, InvoiceState.SENDING, EventKind.RECLAIMED, r.attempts)
                )
            events.append(
                Event(r.id, r.channel, InvoiceState.SENDING, EventKind.CLAIMED, r.attempts + 1)
            )
        _add_events(session, events, now)
        return [Claim(r.id, r.attempts + 1) for r in taken]


def renew(portal: Portal, worker: str, invoice_ids: Sequence[int], lease: timedelta) -> None:
    """Extend ``worker``'s claim on the invoices it still holds."""
    with portal.transaction(writes=True) as session:
        session.execute(
            update(InvoiceRow)
            .where(
                InvoiceRow.id.in_(invoice_ids),
                InvoiceRow.state == InvoiceState.SENDING,
                InvoiceRow.claimed_by == worker,
            )
            .values(claimed_until=portal.clock() + lease)
            .execution_options(synchronize_session=False)
        )


def load_jobs(portal: Portal, claims: Sequence[Claim]) -> list[Job]:
    """What delivering the claimed invoices needs, read in a few queries."""
    attempts = {c.invoice_id: c.attempt for c in claims}
    with portal.transaction(writes=False) as session:
        rows = session.scalars(
            select(InvoiceRow)
            .where(InvoiceRow.id.in_(attempts))
            .options(
                selectinload(InvoiceRow.lines),
                selectinload(InvoiceRow.allowances_charges),
                selectinload(InvoiceRow.attachments),
            )
            .order_by(InvoiceRow.id)
        ).all()
        customers = _by_id(session, Customer, {r.customer_id for r in rows})
        companies = _by_id(session, Company, {r.sender_company_id for r in rows})
        inbox_ids = {
            c.recipient_company_id for c in customers.values() if c.recipient_company_id is not None
        }
        users = _users_to_notify(session, inbox_ids)
        return [
            _job(row, attempts[row.id], customers.get(row.customer_id), companies, users)
            for row in rows
        ]


def complete(portal: Portal, worker: str, outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Record the outcomes of invoices ``worker`` still holds; returns those recorded (an
    invoice whose claim was taken over by another worker is that worker's now)."""
    outcomes = list(outcomes)
    if not outcomes:
        return []
    now = portal.clock()
    with portal.transaction(writes=True) as session:
        held = {
            row.id: row.channel
            for row in session.execute(
                select(InvoiceRow.id, InvoiceRow.channel)
                .where(
                    InvoiceRow.id.in_([o.invoice_id for o in outcomes]),
                    InvoiceRow.state == InvoiceState.SENDING,
                    InvoiceRow.claimed_by == worker,
                )
                .with_for_update(of=InvoiceRow)
            )
        }
        recorded = [o for o in outcomes if o.invoice_id in held]
        for outcome in recorded:
            values: dict[str, Any] = {
                "state": outcome.state,
                "claimed_by": "",
                "claimed_until": None,
                "last_error": outcome.error,
            }
            if outcome.state is InvoiceState.DELIVERED:
                values["delivered_at"] = now
                if outcome.inbox_company_id is not None:
                    # The inbox is this column of the same row, written with the state in this
                    # one transaction: a delivery can never put the invoice in an inbox twice.
                    values["inbox_company_id"] = outcome.inbox_company_id
                    values["read_at"] = None
            elif outcome.retry_after is not None:
                values["next_attempt_at"] = now + outcome.retry_after
            _update(session, [outcome.invoice_id], **values)
        _add_events(
            session,
            [Event(o.invoice_id, held[o.invoice_id], o.state, o.kind, o.data) for o in recorded],
            now,
        )
        return recorded


def record_events(portal: Portal, events: Sequence[Event]) -> None:
    if events:
        with portal.transaction(writes=True) as session:
            _add_events(session, events, portal.clock())


def _update(session: Any, ids: list[int], **values: Any) -> None:
    session.execute(
        update(InvoiceRow)
        .where(InvoiceRow.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _add_events(session: Any, events: Sequence[Event], at: datetime) -> None:
    if events:
        session.execute(
            insert(DeliveryEvent),
            [
                {
                    "invoice_id": e.invoice_id,
                    "at": at,
                    "channel": e.channel,
                    "state": e.state,
                    "detail": event_detail(e.kind, e.data),
                }
                for e in events
            ],
        )


def _by_id(session: Any, model: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {obj.id: obj for obj in session.scalars(select(model).where(model.id.in_(wanted)))}


def _users_to_notify(session: Any, company_ids: set[int | None]) -> dict[int, list[NotifyUser]]:
    wanted = [i for i in company_ids if i is not None]
    found: dict[int, list[NotifyUser]] = {}
    if not wanted:
        return found
    rows = session.execute(
        select(User.company_id, User.email, User.language, User.notification)
        .where(
            User.company_id.in_(wanted),
            User.active.is_(True),
            User.notification != Notification.NONE,
        )
        .order_by(User.id)
    )
    for company_id, email, language, notification in rows:
        found.setdefault(company_id, []).append(
            NotifyUser(email, language, notification is Notification.EMAIL_PDF)
        )
    return found


def _job(
    row: InvoiceRow,
    attempt: int,
    customer: Customer | None,
    companies: dict[int, Company],
    users: dict[int, list[NotifyUser]],
) -> Job:
    facts = InvoiceFacts(
        kind=row.kind,
        number=row.number or "",
        sender_name=row.sender_name,
        recipient_name=row.recipient_name,
        amount=Decimal(row.payable_amount),
        currency=row.currency,
        due_date=row.due_date,
    )
    job = Job(row.id, attempt, row.channel, facts)
    if customer is None or customer.state is not CustomerLinkState.APPROVED:
        job.problem = NOT_APPROVED
        return job
    if job.to_inbox:
        recipient = row.recipient_company_id or customer.recipient_company_id
        if recipient is None or recipient != customer.recipient_company_id:
            job.problem = NOT_APPROVED
            return job
        job.inbox_company_id = recipient
        job.notify = list(users.get(recipient, []))
        if any(u.with_pdf for u in job.notify):
            job.invoice = invoice_from_row(row)
        return job
    if not customer.email:
        job.problem = NO_ADDRESS
        return job
    invoice = invoice_from_row(row)
    sender = companies.get(row.sender_company_id)
    job.invoice = invoice
    job.ubl = row.original_document
    job.email = customer.email
    job.language = language_for_country(
        customer.country,
        invoice.buyer.address.country_code,
        sender.country if sender is not None else None,
    )
    job.reply_to = sender.email if sender is not None else ""
    return job
