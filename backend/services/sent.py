"""The read side of sending: the approval queue and the sent documents.

Writes (approve, return to draft, retry) live in ``invoices`` and ``sending`` (which also
reports a batch's progress: ``sending.delivery_statuses``); these use cases only read, in a
fixed number of statements per page (never one per invoice).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select

from ..db.invoice_list import MAX_CHAR, PAGE_SIZES
from ..db.invoice_mapping import search_key
from ..db.models import Company, DeliveryEvent, InvoiceAttachment, InvoiceRow
from ..db.models.customers import DeliveryChannel
from ..domain.errors import N_, ValidationError
from ..domain.invoice import DocumentKind
from ..domain.states import InvoiceState
from .context import Context, use_case
from .errors import NotFound
from .invoices import DeliveryStep

# The invoices a company has let go: approved (queued), being sent, delivered or failed.
SENT_STATES = (
    InvoiceState.APPROVED,
    InvoiceState.SENDING,
    InvoiceState.DELIVERED,
    InvoiceState.FAILED,
)
# How the sent-documents screen names them ("Klar" in the Pagero guide for delivered).
SENT_STATUS_LABELS: dict[InvoiceState, str] = {
    InvoiceState.APPROVED: N_("Queued"),
    InvoiceState.SENDING: N_("Sending"),
    InvoiceState.DELIVERED: N_("Done"),
    InvoiceState.FAILED: N_("Failed"),
}
FINAL_STATES = frozenset({InvoiceState.DELIVERED, InvoiceState.FAILED})
# Sent documents shows the last 90 days unless the range is changed (nothing is deleted).
DEFAULT_SENT_DAYS = 90
QUEUE_PAGE_SIZE_MAX = 1000


class SentStatus(enum.StrEnum):
    """The status filter of sent documents."""

    ALL = "all"
    QUEUED = "approved"
    SENDING = "sending"
    DONE = "delivered"
    FAILED = "failed"


# --- the approval queue ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    kind: DocumentKind
    number: str
    customer: str
    issue_date: date
    amount: Decimal
    currency: str
    channel: DeliveryChannel
    attachments: int
    created_by_user_id: int | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # invoices waiting for approval
    in_flight: int  # approved and not yet delivered or failed: being sent right now
    page: int
    page_size: int
    may_approve: bool  # the acting user has the approver permission
    four_eyes: bool  # the company lets nobody approve an invoice they wrote
    user_id: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _check_page(page: int, page_size: int, largest: int) -> None:
    if not 1 <= page_size <= largest:
        raise ValidationError(
            N_("A page holds between 1 and {largest} invoices."), field="page_size", largest=largest
        )
    if page < 1:
        raise ValidationError(N_("Pages are counted from 1."), field="page")


@use_case(writes=False)
def queue_page(ctx: Context, page: int = 1, page_size: int = 500) -> QueuePage:
    """The company's invoices waiting for approval, oldest submission first."""
    user = ctx.require_user()
    company_id = ctx.own_company_id()
    _check_page(page, page_size, QUEUE_PAGE_SIZE_MAX)
    attachments = (
        select(func.count(InvoiceAttachment.id))
        .where(InvoiceAttachment.invoice_id == InvoiceRow.id)
        .correlate(InvoiceRow)
        .scalar_subquery()
    )
    waiting = (InvoiceRow.sender_company_id == company_id) & (
        InvoiceRow.state == InvoiceState.READY_FOR_APPROVAL
    )
    rows = ctx.session.execute(
        select(
            InvoiceRow.id,
            InvoiceRow.kind,
            InvoiceRow.number,
            InvoiceRow.recipient_name,
            InvoiceRow.issue_date,
            InvoiceRow.payable_amount,
            InvoiceRow.currency,
            InvoiceRow.channel,
            attachments,
            InvoiceRow.created_by_user_id,
        )
        .where(waiting)
        .order_by(InvoiceRow.submitted_at, InvoiceRow.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    counts = dict(
        ctx.session.execute(
            select(InvoiceRow.state, func.count())
            .where(
                InvoiceRow.sender_company_id == company_id,
                InvoiceRow.state.in_(
                    (
                        InvoiceState.READY_FOR_APPROVAL,
                        InvoiceState.APPROVED,
                        InvoiceState.SENDING,
                    )
                ),
            )
            .group_by(InvoiceRow.state)
        ).all()
    )
    company = ctx.session.get(Company, company_id)
    assert company is not None
    return QueuePage(
        [
            QueueRow(
                r.id,
                r.kind,
                r.number or "",
                r.recipient_name,
                r.issue_date,
                r.payable_amount,
                r.currency,
                r.channel,
                r[8] or 0,
                r.created_by_user_id,
            )
            for r in rows
        ],
        counts.get(InvoiceState.READY_FOR_APPROVAL, 0),
        counts.get(InvoiceState.APPROVED, 0) + counts.get(InvoiceState.SENDING, 0),
        page,
        page_size,
        bool(user.may_approve),
        bool(company.four_eyes),
        user.id,
    )


# --- sent documents -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentQuery:
    issued_from: date | None = None  # None with issued_to None: the last 90 days
    issued_to: date | None = None
    status: SentStatus = SentStatus.ALL
    customer_prefix: str = ""
    number_prefix: str = ""
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True, slots=True)
class SentRow:
    id: int
    kind: DocumentKind
    state: InvoiceState
    number: str
    customer: str
    issue_date: date
    amount: Decimal
    currency: str
    channel: DeliveryChannel
    delivered_at: datetime | None
    last_error: str
    last_event: DeliveryStep | None


@dataclass(frozen=True, slots=True)
class SentPage:
    rows: list[SentRow]
    total: int
    page: int
    page_size: int
    issued_from: date | None  # the range used (the default one when the query had none)
    issued_to: date | None
    status_counts: dict[InvoiceState, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _prefix(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    key = search_key(text.strip())
    return (column >= key) & (column < key + MAX_CHAR)


@use_case(writes=False)
def list_sent(ctx: Context, query: SentQuery) -> SentPage:
    """One page of the company's sent invoices, newest issue date first, with each one's last
    delivery event."""
    company_id = ctx.own_company_id()
    if query.page_size not in PAGE_SIZES:
        raise ValidationError(N_("A page holds 10, 25, 50 or 100 invoices."), field="page_size")
    _check_page(query.page, query.page_size, max(PAGE_SIZES))
    first, last = query.issued_from, query.issued_to
    if first is None and last is None:
        last = ctx.now.date()
        first = last - timedelta(days=DEFAULT_SENT_DAYS)
    if first is not None and last is not None and first > last:
        raise ValidationError(N_("The “from” date is after the “to” date."), field="issued_from")
    conditions: list[ColumnElement[bool]] = [InvoiceRow.sender_company_id == company_id]
    if first is not None:
        conditions.append(InvoiceRow.issue_date >= first)
    if last is not None:
        conditions.append(InvoiceRow.issue_date <= last)
    if query.customer_prefix.strip():
        conditions.append(_prefix(InvoiceRow.recipient_name_key, query.customer_prefix))
    if query.number_prefix.strip():
        conditions.append(_prefix(InvoiceRow.number_key, query.number_prefix))
    by_state = dict(
        ctx.session.execute(
            select(InvoiceRow.state, func.count())
            .where(*conditions, InvoiceRow.state.in_(SENT_STATES))
            .group_by(InvoiceRow.state)
        ).all()
    )
    states = SENT_STATES if query.status is SentStatus.ALL else (InvoiceState(query.status),)
    rows = ctx.session.execute(
        select(
            InvoiceRow.id,
            InvoiceRow.kind,
            InvoiceRow.state,
            InvoiceRow.number,
            InvoiceRow.recipient_name,
            InvoiceRow.issue_date,
            InvoiceRow.payable_amount,
            InvoiceRow.currency,
            InvoiceRow.channel,
            InvoiceRow.delivered_at,
            InvoiceRow.last_error,
        )
        .where(*conditions, InvoiceRow.state.in_(states))
        .order_by(InvoiceRow.issue_date.desc(), InvoiceRow.id.desc())
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    ).all()
    last_events = _last_events(ctx, [r.id for r in rows])
    return SentPage(
        [
            SentRow(
                r.id,
                r.kind,
                r.state,
                r.number or "",
                r.recipient_name,
                r.issue_date,
                r.payable_amount,
                r.currency,
                r.channel,
                r.delivered_at,
                r.last_error or "",
                last_events.get(r.id),
            )
            for r in rows
        ],
        sum(by_state.get(s, 0) for s in states),
        query.page,
        query.page_size,
        first,
        last,
        by_state,
    )


def _last_events(ctx: Context, invoice_ids: list[int]) -> dict[int, DeliveryStep]:
    if not invoice_ids:
        return {}
    latest = (
        select(func.max(DeliveryEvent.id))
        .where(DeliveryEvent.invoice_id.in_(invoice_ids))
        .group_by(DeliveryEvent.invoice_id)
    )
    events = ctx.session.scalars(select(DeliveryEvent).where(DeliveryEvent.id.in_(latest))).all()
    return {e.invoice_id: DeliveryStep(e.at, e.channel, e.state, e.detail) for e in events}


@use_case(writes=False)
def delivery_history(ctx: Context, invoice_id: int) -> list[DeliveryStep]:
    """Every delivery step of one of the company's invoices, oldest first."""
    company_id = ctx.own_company_id()
    owner = ctx.session.scalar(
        select(InvoiceRow.sender_company_id).where(InvoiceRow.id == invoice_id)
    )
    if owner != company_id:
        raise NotFound()
    events = ctx.session.scalars(
        select(DeliveryEvent)
        .where(DeliveryEvent.invoice_id == invoice_id)
        .order_by(DeliveryEvent.at, DeliveryEvent.id)
    ).all()
    return [DeliveryStep(e.at, e.channel, e.state, e.detail) for e in events]
