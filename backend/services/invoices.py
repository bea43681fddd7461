"""Invoices and credit notes: drafts, submit, approve, the sent and received lists, read state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from ..db.invoice_list import (
    InvoicePage,
    InvoiceQuery,
    check_query,
    count_statement,
    page_statement,
    to_row,
)
from ..db.invoice_mapping import apply_invoice, invoice_from_row
from ..db.models import Company, Customer, InvoiceRow
from ..db.models.customers import DeliveryChannel
from ..db.party_mapping import buyer_party, seller_party
from ..domain.checks import check_invoice
from ..domain.errors import N_, DomainError, ValidationError
from ..domain.field_limits import check_field_limits
from ..domain.invoice import (
    DocumentKind,
    Invoice,
    InvoiceReference,
    Party,
    PaymentMeans,
)
from ..domain.numbering import format_invoice_number
from ..domain.states import INVOICE_STATES, CustomerLinkState, InvoiceState
from ..domain.totals import Totals, compute_totals
from ..formats.validation import validate_invoice
from .context import Context, use_case
from .errors import Conflict, NotFound, PermissionDenied


class InvoiceRejected(DomainError):
    """The invoice breaks rules; ``findings`` holds one ValidationError per field."""

    def __init__(self, findings: list[ValidationError]) -> None:
        super().__init__(
            N_("The invoice has {count} error(s) to correct first."), count=len(findings)
        )
        self.findings = findings


@dataclass(frozen=True, slots=True)
class DeliveryStep:
    at: datetime
    channel: DeliveryChannel
    state: InvoiceState
    detail: str


@dataclass(frozen=True, slots=True)
class InvoiceDetail:
    id: int
    state: InvoiceState
    invoice: Invoice
    totals: Totals
    customer_id: int | None
    channel: DeliveryChannel
    read: bool
    is_sender: bool
    created_by_user_id: int | None
    approved_by_user_id: int | None
    last_error: str
    deliveries: list[DeliveryStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ApprovalResult:
    invoice_id: int
    approved: bool
    error: DomainError | None = None


@dataclass(frozen=True, slots=True)
class InvoiceStart:
    """An invoice to fill in on the form: a stored draft (``draft_id``) or a new, unsaved one."""

    invoice: Invoice
    customer_id: int | None
    draft_id: int | None = None
    due_days: int | None = None  # days from the issue date to the due date, when known


# The currency an invoice starts in, by the seller's country; anything else is typed.
COUNTRY_CURRENCIES = {"SE": "SEK", "NL": "EUR"}
DEFAULT_DUE_DAYS = 30


def _own_invoice(ctx: Context, invoice_id: int) -> InvoiceRow:
    """An invoice the acting user's company sent (or is writing)."""
    user = ctx.require_user()
    row = ctx.session.get(InvoiceRow, invoice_id)
    if row is None or row.sender_company_id != user.company_id:
        raise NotFound()
    return row


def _visible_invoice(ctx: Context, invoice_id: int) -> InvoiceRow:
    """An invoice the company sent, or one delivered to its inbox."""
    user = ctx.require_user()
    row = ctx.session.get(InvoiceRow, invoice_id)
    if row is None or user.company_id not in (row.sender_company_id, row.inbox_company_id):
        raise NotFound()
    return row


def _customer(ctx: Context, customer_id: int | None, company_id: int) -> Customer | None:
    if customer_id is None:
        return None
    customer = ctx.session.get(Customer, customer_id)
    if customer is None or customer.sender_company_id != company_id:
        raise NotFound(field="customer_id")
    return customer


def _write_draft(row: InvoiceRow, invoice: Invoice, customer: Customer | None) -> None:
    too_long = check_field_limits(invoice)
    if too_long:
        raise InvoiceRejected(too_long)
    apply_invoice(row, invoice)
    row.customer_id = customer.id if customer else None
    row.recipient_company_id = customer.recipient_company_id if customer else None
    row.channel = customer.channel if customer else DeliveryChannel.EMAIL


def _new_invoice(ctx: Context, kind: DocumentKind = DocumentKind.INVOICE) -> Invoice:
    user = ctx.require_user()
    company = ctx.session.get(Company, user.company_id)
    assert company is not None
    today = ctx.now.date()
    payment = PaymentMeans(
        code="58" if company.country == "NL" else "30",
        iban=company.iban or "",
        bic=company.bic,
        account_name=company.name,
    )
    return Invoice(
        kind=kind,
        number="",
        issue_date=today,
        due_date=today + timedelta(days=DEFAULT_DUE_DAYS),
        currency=COUNTRY_CURRENCIES.get(company.country, "EUR"),
        seller=seller_party(company, user),
        buyer=Party(),
        lines=[],
        payment_means=[payment],
    )


@use_case(writes=False)
def new_invoice(ctx: Context, kind: DocumentKind = DocumentKind.INVOICE) -> Invoice:
    """A new, unsaved invoice: the seller, payment details and currency from the company,
    dated today, due in 30 days, no lines."""
    return _new_invoice(ctx, kind)


@use_case(writes=False)
def customer_party(ctx: Context, customer_id: int) -> Party:
    """The buyer details of a customer of the register, to fill in an invoice's recipient."""
    user = ctx.require_user()
    customer = _customer(ctx, customer_id, user.company_id)
    assert customer is not None
    return buyer_party(customer)


@use_case(writes=False)
def copy_invoice(ctx: Context, invoice_id: int) -> InvoiceStart:
    """An earlier invoice of the company as a new, unsaved one: no number, dated today with the
    same number of days to pay, the company's current seller details, no credited invoice."""
    row = _own_invoice(ctx, invoice_id)
    source = invoice_from_row(row)
    fresh = _new_invoice(ctx, source.kind)
    today = fresh.issue_date
    days = (source.due_date - source.issue_date).days if source.due_date else None
    invoice = replace(
        source,
        number="",
        issue_date=today,
        due_date=today + timedelta(days=days) if days is not None and days >= 0 else None,
        seller=fresh.seller,
        preceding_invoices=[] if source.kind is DocumentKind.INVOICE else source.preceding_invoices,
        tax_point_date=None,
        period_start=None,
        period_end=None,
        prepaid_amount=Decimal(0),
        rounding_amount=Decimal(0),
    )
    return InvoiceStart(invoice, row.customer_id, None, days)


@use_case(writes=False)
def latest_draft(ctx: Context) -> InvoiceStart | None:
    """The acting user's most recently changed draft, to continue where they left off."""
    user = ctx.require_user()
    row = ctx.session.scalars(
        select(InvoiceRow)
        .where(
            InvoiceRow.sender_company_id == user.company_id,
            InvoiceRow.created_by_user_id == user.id,
            InvoiceRow.state == InvoiceState.DRAFT,
        )
        .order_by(InvoiceRow.updated_at.desc(), InvoiceRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    invoice = invoice_from_row(row)
    days = (invoice.due_date - invoice.issue_date).days if invoice.due_date else None
    return InvoiceStart(invoice, row.customer_id, row.id, days)


@use_case()
def create_invoice(ctx: Context, invoice: Invoice, *, customer_id: int | None = None) -> int:
    """Save a new draft (invoice or credit note) for the acting user's company."""
    user = ctx.require_user()
    customer = _customer(ctx, customer_id, user.company_id)
    row = InvoiceRow(
        state=InvoiceState.DRAFT,
        sender_company_id=user.company_id,
        created_by_user_id=user.id,
    )
    _write_draft(row, invoice, customer)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("invoice_created", f"invoice:{row.id}", kind=invoice.kind)
    return row.id


@use_case()
def update_draft(
    ctx: Context, invoice_id: int, invoice: Invoice, *, customer_id: int | None = None
) -> None:
    row = _own_invoice(ctx, invoice_id)
    if row.state is not InvoiceState.DRAFT:
        raise Conflict(N_("Only drafts can be changed."), field="state")
    _write_draft(row, invoice, _customer(ctx, customer_id, row.sender_company_id))
    ctx.audit("invoice_changed", f"invoice:{row.id}")


@use_case()
def delete_draft(ctx: Context, invoice_id: int) -> None:
    row = _own_invoice(ctx, invoice_id)
    if row.state is not InvoiceState.DRAFT:
        raise Conflict(N_("Only drafts can be deleted."), field="state")
    ctx.session.delete(row)
    ctx.audit("invoice_deleted", f"invoice:{invoice_id}")


@use_case()
def create_credit_note(ctx: Context, invoice_id: int) -> int:
    """A draft credit note for a sent invoice: the same lines, referring to it (BG-3)."""
    user = ctx.require_user()
    original = _own_invoice(ctx, invoice_id)
    if original.kind is not DocumentKind.INVOICE or original.state is InvoiceState.DRAFT:
        raise Conflict(N_("Only a submitted invoice can be credited."), field="invoice_id")
    source = invoice_from_row(original)
    credit = replace(
        source,
        kind=DocumentKind.CREDIT_NOTE,
        number="",
        issue_date=ctx.now.date(),
        preceding_invoices=[InvoiceReference(source.number, source.issue_date)],
        prepaid_amount=Decimal(0),
        attachments=[],
    )
    row = InvoiceRow(
        state=InvoiceState.DRAFT,
        sender_company_id=user.company_id,
        created_by_user_id=user.id,
        credited_invoice_id=original.id,
    )
    customer = _customer(ctx, original.customer_id, user.company_id)
    _write_draft(row, credit, customer)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("credit_note_created", f"invoice:{row.id}", credits=f"invoice:{original.id}")
    return row.id


@use_case(writes=False)
def get_invoice(ctx: Context, invoice_id: int) -> InvoiceDetail:
    row = _visible_invoice(ctx, invoice_id)
    invoice = invoice_from_row(row)
    is_sender = row.sender_company_id == ctx.require_user().company_id
    return InvoiceDetail(
        row.id,
        row.state,
        invoice,
        compute_totals(invoice),
        row.customer_id if is_sender else None,
        row.channel,
        row.read_at is not None,
        is_sender,
        row.created_by_user_id if is_sender else None,
        row.approved_by_user_id if is_sender else None,
        row.last_error if is_sender else "",
        [DeliveryStep(d.at, d.channel, d.state, d.detail) for d in row.deliveries]
        if is_sender
        else [],
    )


def _allocate_number(ctx: Context, company_id: int) -> str:
    """The next number of the sender's sequence. The UPDATE takes the row lock, so two
    submissions never get the same value; numbers typed by hand are skipped over."""
    while True:
        value, prefix = ctx.session.execute(
            update(Company)
            .where(Company.id == company_id)
            .values(next_invoice_number=Company.next_invoice_number + 1)
            .returning(Company.next_invoice_number - 1, Company.invoice_number_prefix)
        ).one()
        number = format_invoice_number(prefix, value)
        if not _number_taken(ctx, company_id, number):
            return number


def _number_taken(ctx: Context, company_id: int, number: str, *, but: int | None = None) -> bool:
    query = select(InvoiceRow.id).where(
        InvoiceRow.sender_company_id == company_id, InvoiceRow.number == number
    )
    if but is not None:
        query = query.where(InvoiceRow.id != but, InvoiceRow.state != InvoiceState.DRAFT)
    return ctx.session.scalar(query.limit(1)) is not None


@use_case()
def submit_invoice(ctx: Context, invoice_id: int) -> str:
    """Draft -> ready for approval: the portal's checks and then the Peppol rules must pass
    (the form shows both, but whatever calls this is held to them), the customer must accept
    invoices from us, and the invoice gets its number. Returns the number."""
    row = _own_invoice(ctx, invoice_id)
    invoice = invoice_from_row(row)
    if not invoice.number:
        invoice.number = "-"  # numbered below; a placeholder keeps BT-1 out of the findings
    findings = check_invoice(invoice) or [
        ValidationError(f.message, field=f.field, **f.params)
        for f in validate_invoice(invoice).findings
        if f.is_fatal
    ]
    customer = _customer(ctx, row.customer_id, row.sender_company_id)
    if customer is None:
        findings.append(ValidationError(N_("Choose the customer."), field="customer_id"))
    elif customer.state is not CustomerLinkState.APPROVED:
        findings.append(
            ValidationError(
                N_("The customer has not approved invoices from you yet."), field="customer_id"
            )
        )
    if findings:
        raise InvoiceRejected(findings)
    if row.number and _number_taken(ctx, row.sender_company_id, row.number, but=row.id):
        raise Conflict(
            N_("The invoice number {number} is already used."), field="number", number=row.number
        )
    row.state = INVOICE_STATES.transition(row.state, InvoiceState.READY_FOR_APPROVAL)
    if not row.number:
        invoice.number = _allocate_number(ctx, row.sender_company_id)
        apply_invoice(row, invoice)
    row.submitted_at = ctx.now
    ctx.audit("invoice_submitted", f"invoice:{row.id}", number=row.number)
    return row.number or ""


@use_case()
def return_to_draft(ctx: Context, invoice_id: int) -> None:
    """Send an invoice awaiting approval back to its writer for changes."""
    row = _own_invoice(ctx, invoice_id)
    row.state = INVOICE_STATES.transition(row.state, InvoiceState.DRAFT)
    ctx.audit("invoice_returned", f"invoice:{row.id}")


@use_case()
def approve_invoices(ctx: Context, invoice_ids: list[int]) -> list[ApprovalResult]:
    """Approve invoices awaiting approval (users with the approve permission). With the
    company's four-eyes setting, nobody approves an invoice they wrote themselves."""
    user = ctx.require_user()
    if not user.may_approve:
        raise PermissionDenied(N_("You may not approve invoices."))
    company = ctx.session.get(Company, user.company_id)
    assert company is not None
    # Only the columns the decision needs, and one UPDATE for the lot: a batch of a thousand
    # must not hold the session's UI (this runs in its thread) for long.
    rows = ctx.session.execute(
        select(InvoiceRow.id, InvoiceRow.state, InvoiceRow.created_by_user_id, InvoiceRow.number)
        .where(InvoiceRow.id.in_(invoice_ids), InvoiceRow.sender_company_id == user.company_id)
        .with_for_update()  # PostgreSQL: nobody changes them between the check and the update
    ).all()
    if len(rows) != len(set(invoice_ids)):
        raise NotFound()  # a marked id that is not ours: refuse the whole batch
    position = {invoice_id: n for n, invoice_id in enumerate(invoice_ids)}
    results = []
    approved: list[int] = []
    for invoice_id, state, created_by, number in sorted(rows, key=lambda r: position[r[0]]):
        if company.four_eyes and created_by == user.id:
            error = PermissionDenied(N_("Someone else must approve an invoice you wrote."))
            results.append(ApprovalResult(invoice_id, False, error))
            continue
        try:
            INVOICE_STATES.transition(state, InvoiceState.APPROVED)
        except DomainError as error:
            results.append(ApprovalResult(invoice_id, False, error))
            continue
        approved.append(invoice_id)
        ctx.audit("invoice_approved", f"invoice:{invoice_id}", number=number)
        results.append(ApprovalResult(invoice_id, True))
    if approved:
        ctx.session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id.in_(approved), InvoiceRow.state == InvoiceState.READY_FOR_APPROVAL)
            .values(
                state=InvoiceState.APPROVED,
                approved_by_user_id=user.id,
                approved_at=ctx.now,
                updated_at=ctx.now,
            ),
            execution_options={"synchronize_session": False},
        )
    return results


@use_case(writes=False)
def list_invoices(ctx: Context, query: InvoiceQuery) -> InvoicePage:
    """One page of the company's sent or received invoices, with the number of matches."""
    user = ctx.require_user()
    check_query(query)
    rows = ctx.session.execute(page_statement(query, user.company_id)).all()
    total = ctx.session.scalar(count_statement(query, user.company_id)) or 0
    return InvoicePage([to_row(tuple(r)) for r in rows], total, query.page, query.page_size)


@use_case()
def mark_read(ctx: Context, invoice_ids: list[int], *, read: bool = True) -> int:
    """Mark received invoices read (or unread again). Returns how many changed."""
    user = ctx.require_user()
    rows = ctx.session.scalars(
        select(InvoiceRow).where(
            InvoiceRow.id.in_(invoice_ids), InvoiceRow.inbox_company_id == user.company_id
        )
    ).all()
    if len(rows) != len(set(invoice_ids)):
        raise NotFound()
    changed = 0
    for row in rows:
        if (row.read_at is not None) != read:
            row.read_at = ctx.now if read else None
            changed += 1
    if changed:
        ctx.audit("invoices_marked_read" if read else "invoices_marked_unread", "", count=changed)
    return changed
