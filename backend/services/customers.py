"""The customer register (Pagero's "Kundregister") and the recipient's approval of senders.

A sender adds portal members, found with ``directory.search_directory``, under its own customer
number, or adds customers outside the portal who get their invoices by e-mail. A recipient
company that has ``requires_sender_approval`` set decides on each new sender first; until it has
approved, the link stays "Awaiting approval" and nothing may be sent over it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db.models import Company, Customer, DeliveryChannel, InvoiceRow, InvoiceTemplate
from ..db.models.accounts import CompanyStatus
from ..domain import identifiers
from ..domain.errors import N_, ValidationError
from ..domain.states import CUSTOMER_LINK_STATES, CustomerLinkState
from .context import Context, use_case
from .credentials import normalise_email
from .errors import Conflict, NotFound

MAX_CUSTOMER_NUMBER = 50  # Customer.customer_number
MAX_CUSTOMER_NAME = 200  # Customer.name
_COUNTRY = re.compile(r"[A-Z]{2}")

# How each delivery channel is named to the sender (msgids).
CHANNEL_LABELS: dict[DeliveryChannel, str] = {
    DeliveryChannel.PORTAL: N_("Portal inbox"),
    DeliveryChannel.EMAIL: N_("E-mail"),
    DeliveryChannel.BUSINESS_SYSTEM: N_("Business system"),
}


@dataclass(frozen=True, slots=True)
class CustomerView:
    """One row of the sender's register."""

    id: int
    customer_number: str
    name: str
    email: str
    country: str
    org_id: str
    vat_number: str
    peppol_id: str
    channel: DeliveryChannel
    state: CustomerLinkState
    # The member company; None for a customer reached by e-mail only.
    recipient_company_id: int | None
    created_at: datetime
    decided_at: datetime | None

    @property
    def may_receive(self) -> bool:
        """Whether invoices may be sent to this customer: only once the link is approved."""
        return self.state is CustomerLinkState.APPROVED

    @property
    def is_member(self) -> bool:
        return self.recipient_company_id is not None

    @property
    def state_label(self) -> str:
        """The untranslated label msgid, e.g. "Awaiting approval"."""
        return CUSTOMER_LINK_STATES.label(self.state)

    @property
    def channel_label(self) -> str:
        """The untranslated label msgid of the delivery channel, e.g. "Portal inbox"."""
        return CHANNEL_LABELS[self.channel]


@dataclass(frozen=True, slots=True)
class SenderRequestView:
    """A sender that has put the acting user's company in its register, as the recipient sees
    it. The sender's own customer number is its internal business and is not shown."""

    customer_id: int
    sender_company_id: int
    sender_name: str
    sender_country: str
    sender_org_id: str
    sender_vat_number: str
    sender_peppol_id: str
    state: CustomerLinkState
    requested_at: datetime
    decided_at: datetime | None

    @property
    def state_label(self) -> str:
        return CUSTOMER_LINK_STATES.label(self.state)


def _view(c: Customer) -> CustomerView:
    return CustomerView(
        c.id,
        c.customer_number,
        c.name,
        c.email,
        c.country,
        c.org_id,
        c.vat_number,
        c.peppol_id,
        c.channel,
        c.state,
        c.recipient_company_id,
        c.created_at,
        c.decided_at,
    )


def _request_view(c: Customer, sender: Company) -> SenderRequestView:
    return SenderRequestView(
        c.id,
        sender.id,
        sender.name,
        sender.country,
        sender.org_id,
        sender.vat_number or "",
        sender.peppol_id,
        c.state,
        c.created_at,
        c.decided_at,
    )


def _own_customer(ctx: Context, customer_id: int) -> Customer:
    """A customer in the acting user's register; anyone else's is NotFound."""
    company_id = ctx.own_company_id()
    customer = ctx.session.get(Customer, customer_id)
    if customer is None or customer.sender_company_id != company_id:
        raise NotFound()
    return customer


def _customer_number(text: str) -> str:
    number = text.strip()
    if not number:
        raise ValidationError(
            N_("Please enter your customer number for this customer."), field="customer_number"
        )
    if len(number) > MAX_CUSTOMER_NUMBER:
        raise ValidationError(
            N_("The customer number may have at most {max} characters."),
            field="customer_number",
            max=MAX_CUSTOMER_NUMBER,
        )
    return number


def _check_number_free(ctx: Context, company_id: int, number: str, *, but: int | None) -> None:
    holder = ctx.session.scalars(
        select(Customer).where(
            Customer.sender_company_id == company_id, Customer.customer_number == number
        )
    ).first()
    if holder is not None and holder.id != but:
        raise Conflict(
            N_("The customer number {value} is already used for {name}."),
            field="customer_number",
            value=number,
            name=holder.name,
        )


def _check_not_registered(ctx: Context, company_id: int, recipient: Company) -> None:
    existing = ctx.session.scalars(
        select(Customer.id).where(
            Customer.sender_company_id == company_id,
            Customer.recipient_company_id == recipient.id,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            N_("{name} is already in your customer register."),
            field="recipient_company_id",
            name=recipient.name,
        )


def _save_unique(ctx: Context, change: Callable[[], None], recheck: Callable[[], None]) -> None:
    """Apply ``change`` and flush it inside a savepoint. If a unique constraint fires anyway
    (another transaction added the same member or number after our check, possible on
    PostgreSQL), only the savepoint is lost: the checks run again and give the precise Conflict
    instead of a database error."""
    try:
        # The change must happen inside: begin_nested() flushes what is pending before the
        # SAVEPOINT, and a failure there would end the whole transaction.
        with ctx.session.begin_nested():
            change()
    except IntegrityError:
        recheck()
        raise Conflict(
            N_("The customer register was changed at the same time. Please try again.")
        ) from None


def _check_channel(customer: Customer, channel: DeliveryChannel) -> DeliveryChannel:
    channel = DeliveryChannel(channel)
    if customer.recipient_company_id is None and channel is not DeliveryChannel.EMAIL:
        raise ValidationError(
            N_("A customer who is not a portal member can only receive invoices by e-mail."),
            field="channel",
        )
    if channel is DeliveryChannel.EMAIL and not customer.email:
        raise ValidationError(
            N_("{name} has no e-mail address to send invoices to."),
            field="channel",
            name=customer.name,
        )
    return channel


@use_case()
def add_customer(
    ctx: Context,
    recipient_company_id: int,
    customer_number: str,
    channel: DeliveryChannel = DeliveryChannel.PORTAL,
) -> CustomerView:
    """Add a portal member to the register under the sender's own customer number. The link is
    approved at once unless the member approves its senders, then it awaits that approval."""
    company_id = ctx.own_company_id()
    if recipient_company_id == company_id:
        raise ValidationError(
            N_("You cannot add your own organisation as a customer."),
            field="recipient_company_id",
        )
    recipient = ctx.session.get(Company, recipient_company_id)
    if recipient is None or recipient.status is not CompanyStatus.ACTIVE:
        raise NotFound(field="recipient_company_id")
    number = _customer_number(customer_number)
    _check_not_registered(ctx, company_id, recipient)
    _check_number_free(ctx, company_id, number, but=None)
    state = (
        CustomerLinkState.PENDING_APPROVAL
        if recipient.requires_sender_approval
        else CustomerLinkState.APPROVED
    )
    # The member's details are copied as they are today, like a party on a written invoice.
    customer = Customer(
        sender_company_id=company_id,
        recipient_company_id=recipient.id,
        customer_number=number,
        name=recipient.name,
        email=recipient.email,
        country=recipient.country,
        org_id=recipient.org_id,
        vat_number=recipient.vat_number or "",
        peppol_id=recipient.peppol_id,
        state=state,
        created_at=ctx.now,
    )
    customer.channel = _check_channel(customer, channel)

    def recheck() -> None:
        _check_not_registered(ctx, company_id, recipient)
        _check_number_free(ctx, company_id, number, but=None)

    _save_unique(ctx, lambda: ctx.session.add(customer), recheck)
    ctx.audit(
        "customer_added",
        f"customer:{customer.id}",
        recipient_company_id=recipient.id,
        customer_number=number,
        state=state,
    )
    return _view(customer)


@use_case()
def add_external_customer(
    ctx: Context,
    name: str,
    email: str,
    customer_number: str,
    *,
    country: str = "",
    org_id: str = "",
    vat_number: str = "",
    peppol_id: str = "",
) -> CustomerView:
    """Add a customer that is not a portal member; invoices reach it by e-mail."""
    company_id = ctx.own_company_id()
    display_name = name.strip()
    if not display_name:
        raise ValidationError(N_("Please enter the customer's name."), field="name")
    if len(display_name) > MAX_CUSTOMER_NAME:
        raise ValidationError(
            N_("The name may have at most {max} characters."), field="name", max=MAX_CUSTOMER_NAME
        )
    address = normalise_email(email, field="email")
    number = _customer_number(customer_number)
    code = country.strip().upper()
    if code and not _COUNTRY.fullmatch(code):
        raise ValidationError(
            N_("Enter the country as a two-letter code, e.g. SE."), field="country", value=country
        )
    if org_id.strip() and not code:
        raise ValidationError(N_("Choose the country of the organisation number."), field="country")
    customer = Customer(
        sender_company_id=company_id,
        recipient_company_id=None,
        customer_number=number,
        name=display_name,
        email=address,
        country=code,
        org_id=identifiers.org_number(code, org_id, field="org_id") if org_id.strip() else "",
        vat_number=identifiers.vat_number(vat_number, code or None, field="vat_number")
        if vat_number.strip()
        else "",
        peppol_id=str(identifiers.parse_participant_id(peppol_id, field="peppol_id"))
        if peppol_id.strip()
        else "",
        channel=DeliveryChannel.EMAIL,
        state=CustomerLinkState.APPROVED,
        created_at=ctx.now,
    )
    _check_number_free(ctx, company_id, number, but=None)
    _save_unique(
        ctx,
        lambda: ctx.session.add(customer),
        lambda: _check_number_free(ctx, company_id, number, but=None),
    )
    ctx.audit("customer_added", f"customer:{customer.id}", customer_number=number, external=True)
    return _view(customer)


@use_case(writes=False)
def list_customers(ctx: Context, *, state: CustomerLinkState | None = None) -> list[CustomerView]:
    """The acting user's company's register, by name; optionally only links in ``state``."""
    company_id = ctx.own_company_id()
    query = select(Customer).where(Customer.sender_company_id == company_id)
    if state is not None:
        query = query.where(Customer.state == CustomerLinkState(state))
    rows = ctx.session.scalars(query.order_by(func.lower(Customer.name), Customer.id))
    return [_view(c) for c in rows]


@use_case(writes=False)
def get_customer(ctx: Context, customer_id: int) -> CustomerView:
    return _view(_own_customer(ctx, customer_id))


@use_case()
def update_customer(
    ctx: Context,
    customer_id: int,
    *,
    customer_number: str | None = None,
    channel: DeliveryChannel | None = None,
) -> CustomerView:
    """Change the sender's customer number or the delivery channel."""
    customer = _own_customer(ctx, customer_id)
    changes: dict[str, str] = {}
    if customer_number is not None:
        number = _customer_number(customer_number)
        if number != customer.customer_number:
            sender_id, own_id = customer.sender_company_id, customer.id
            _check_number_free(ctx, sender_id, number, but=own_id)
            _save_unique(
                ctx,
                lambda: setattr(customer, "customer_number", number),
                lambda: _check_number_free(ctx, sender_id, number, but=own_id),
            )
            changes["customer_number"] = number
    if channel is not None:
        checked = _check_channel(customer, channel)
        if checked is not customer.channel:
            customer.channel = checked
            changes["channel"] = checked.value
    if changes:
        ctx.audit("customer_changed", f"customer:{customer.id}", **changes)
    return _view(customer)


@use_case()
def remove_customer(ctx: Context, customer_id: int) -> None:
    """Delete a customer from the register. Refused once invoices have been written to it: they
    keep pointing at the register entry (and their history must stay whole)."""
    customer = _own_customer(ctx, customer_id)
    invoiced = ctx.session.scalars(
        select(InvoiceRow.id).where(InvoiceRow.customer_id == customer.id).limit(1)
    ).first()
    if invoiced is not None:
        raise Conflict(
            N_("{name} has invoices and cannot be removed from the customer register."),
            name=customer.name,
        )
    # Templates refer to the customer inside their JSON, out of reach of a foreign key. Clear
    # the reference so a template never points at a removed (or, once the id is reused,
    # another) customer.
    templates = ctx.session.scalars(
        select(InvoiceTemplate).where(InvoiceTemplate.company_id == customer.sender_company_id)
    )
    for template in templates:
        if template.fields.get("customer_id") == customer.id:
            template.fields = {**template.fields, "customer_id": None}
            template.updated_at = ctx.now
    ctx.audit(
        "customer_removed",
        f"customer:{customer.id}",
        customer_number=customer.customer_number,
        recipient_company_id=customer.recipient_company_id,
    )
    ctx.session.delete(customer)


@use_case()
def request_approval_again(ctx: Context, customer_id: int) -> CustomerView:
    """Ask a member that rejected the sender to decide again (rejected -> awaiting approval)."""
    customer = _own_customer(ctx, customer_id)
    customer.state = CUSTOMER_LINK_STATES.transition(
        customer.state, CustomerLinkState.PENDING_APPROVAL
    )
    customer.decided_at = None
    customer.decided_by_user_id = None
    ctx.audit(
        "sender_approval_requested",
        f"customer:{customer.id}",
        recipient_company_id=customer.recipient_company_id,
    )
    return _view(customer)


@use_case(writes=False)
def list_sender_requests(
    ctx: Context, *, state: CustomerLinkState | None = CustomerLinkState.PENDING_APPROVAL
) -> list[SenderRequestView]:
    """Senders that have the acting user's company in their register (by default only those
    awaiting its approval; ``state=None`` for all), by sender name."""
    company_id = ctx.own_company_id()
    query = (
        select(Customer, Company)
        .join(Company, Company.id == Customer.sender_company_id)
        .where(Customer.recipient_company_id == company_id)
    )
    if state is not None:
        query = query.where(Customer.state == CustomerLinkState(state))
    rows = ctx.session.execute(query.order_by(func.lower(Company.name), Customer.id))
    return [_request_view(customer, sender) for customer, sender in rows]


@use_case()
def decide_sender_request(ctx: Context, customer_id: int, approve: bool) -> SenderRequestView:
    """Approve or reject a sender (company admins of the recipient). Rejecting an approved
    sender revokes it. Repeating the decision already taken changes nothing."""
    customer = ctx.session.get(Customer, customer_id)
    if customer is None or customer.recipient_company_id is None:
        raise NotFound()
    user = ctx.require_admin_of(customer.recipient_company_id)
    target = CustomerLinkState.APPROVED if approve else CustomerLinkState.REJECTED
    sender = ctx.session.get(Company, customer.sender_company_id)
    assert sender is not None
    if customer.state is not target:
        customer.state = CUSTOMER_LINK_STATES.transition(customer.state, target)
        customer.decided_at = ctx.now
        customer.decided_by_user_id = user.id
        ctx.audit(
            "sender_approved" if approve else "sender_rejected",
            f"customer:{customer.id}",
            company_id=customer.recipient_company_id,
            sender_company_id=customer.sender_company_id,
        )
    return _request_view(customer, sender)
