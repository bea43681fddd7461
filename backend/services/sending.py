"""Sending: what the send queue and sent-documents screens ask of the delivery worker.

The worker itself (``backend.delivery``) claims approved invoices on its own; these use cases
only put a failed invoice back in the queue and report how far a batch has come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..db.models import DeliveryEvent, InvoiceRow
from ..delivery.events import EventKind, event_detail
from ..domain.errors import N_
from ..domain.states import INVOICE_STATES, InvoiceState
from .context import Context, use_case
from .errors import NotFound, PermissionDenied


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """Where one invoice is on its way out."""

    invoice_id: int
    state: InvoiceState
    attempts: int
    # For an approved invoice that met a temporary error: when the worker tries again.
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str


@use_case()
def retry_delivery(ctx: Context, invoice_id: int) -> None:
    """Put a failed invoice of the user's company back in the send queue (approvers only)."""
    user = ctx.require_user()
    row = ctx.session.get(InvoiceRow, invoice_id)
    if row is None or row.sender_company_id != user.company_id:
        raise NotFound()
    if not user.may_approve:
        raise PermissionDenied(N_("You may not approve invoices."))
    row.state = INVOICE_STATES.transition(row.state, InvoiceState.APPROVED)
    row.attempts = 0
    row.next_attempt_at = None
    row.claimed_by = ""
    row.claimed_until = None
    ctx.session.add(
        DeliveryEvent(
            invoice_id=row.id,
            at=ctx.now,
            channel=row.channel,
            state=InvoiceState.APPROVED,
            detail=event_detail(EventKind.REQUEUED, user.email),
        )
    )
    ctx.audit("invoice_delivery_retried", f"invoice:{row.id}", number=row.number)


@use_case(writes=False)
def delivery_statuses(ctx: Context, invoice_ids: list[int]) -> list[DeliveryStatus]:
    """The delivery state of the company's own invoices among ``invoice_ids``, in that order
    (for a progress bar while a batch is sent). One id that is not the company's refuses all."""
    user = ctx.require_user()
    rows = ctx.session.execute(
        select(
            InvoiceRow.id,
            InvoiceRow.state,
            InvoiceRow.attempts,
            InvoiceRow.next_attempt_at,
            InvoiceRow.delivered_at,
            InvoiceRow.last_error,
        ).where(InvoiceRow.id.in_(invoice_ids), InvoiceRow.sender_company_id == user.company_id)
    ).all()
    by_id = {r.id: DeliveryStatus(*r) for r in rows}
    wanted = list(dict.fromkeys(invoice_ids))
    if len(by_id) != len(wanted):
        raise NotFound()
    return [by_id[i] for i in wanted]
