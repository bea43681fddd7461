"""The demo world: its companies, users and customer links, added to the session and kept for
the invoices that follow, with each sender's next invoice number."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..db.models import Company, Customer, DeliveryChannel, InvoiceRow, Role, User
from ..db.models.accounts import CompanyStatus
from ..domain.numbering import format_invoice_number
from ..domain.states import CustomerLinkState
from ..services.context import Portal
from .companies import (
    ACME,
    BUYER_REFERENCES,
    DEMO_COMPANIES,
    DEMO_LINKS,
    EMAIL_CUSTOMER,
    EMAIL_CUSTOMER_SHARE,
    RECEIVED_SHARE,
    SENT_SHARE,
    SUPPORT,
    CompanySpec,
)
from .generated_companies import EXTRA_COMPANIES, generated_company
from .logins import DEMO_LOGINS, USER_NAMES

# The bulk invoices are spread over three years, up to the recent days.
SPAN_DAYS = 3 * 365
# The hand-written invoices are from the last two weeks; the bulk ends before them, so numbers
# and dates go up together.
RECENT_DAYS = 14


@dataclass(slots=True)
class Link:
    """A customer of a sender's register, with what every invoice over it shares."""

    customer: Customer
    sender: CompanySpec
    sender_id: int
    recipient: CompanySpec | None  # None: the customer outside the portal
    recipient_id: int | None
    buyer_reference: str
    weight: float = 0.0

    @property
    def cross_border(self) -> bool:
        country = self.recipient.country if self.recipient else self.customer.country
        return country != self.sender.country


@dataclass
class World:
    now: datetime
    rng: random.Random
    companies: dict[str, Company] = field(default_factory=dict)
    specs: dict[str, CompanySpec] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    next_number: dict[int, int] = field(default_factory=dict)
    curated_rows: list[InvoiceRow] = field(default_factory=list)

    def number(self, link: Link) -> str:
        """The next number of the link's sender."""
        value = self.next_number.get(link.sender_id, 1)
        self.next_number[link.sender_id] = value + 1
        if value == 1:
            return format_invoice_number(link.sender.prefix, value)  # checks the prefix
        # As format_invoice_number writes it, without checking the prefix a million times.
        return f"{link.sender.prefix}{value:06d}"

    def link(self, sender: str, recipient: str | None) -> Link:
        for link in self.links:
            if link.sender.name == sender and (
                (link.recipient.name if link.recipient else None) == recipient
            ):
                return link
        raise KeyError((sender, recipient))

    def user_id(self, email: str) -> int:
        return self.users[email].id


def add_companies(session: Session, world: World) -> None:
    specs = list(DEMO_COMPANIES)
    taken = {s.name for s in specs} | {s.org_id for s in specs} | {EMAIL_CUSTOMER["org_id"]}
    specs += [
        generated_company(world.rng, "SE" if n % 2 else "NL", taken) for n in range(EXTRA_COMPANIES)
    ]
    for spec in specs:
        company = Company(
            country=spec.country,
            org_id=spec.org_id,
            name=spec.name,
            vat_number=spec.vat_number,
            peppol_scheme=spec.peppol.scheme,
            peppol_value=spec.peppol.value,
            street=spec.street,
            postal_code=spec.postal_code,
            city=spec.city,
            contact_name="",
            phone=spec.phone,
            email=spec.email,
            iban=spec.iban,
            bic=spec.bic,
            level=spec.level,
            status=CompanyStatus.ACTIVE,
            four_eyes=spec.four_eyes,
            requires_sender_approval=spec.requires_sender_approval,
            invoice_number_prefix=spec.prefix,
            created_at=world.now - timedelta(days=SPAN_DAYS + RECENT_DAYS + 30),
        )
        session.add(company)
        world.companies[spec.name] = company
        world.specs[spec.name] = spec
    session.flush()


def add_users(session: Session, world: World, portal: Portal) -> None:
    for login in DEMO_LOGINS:
        user = User(
            company_id=world.companies[login.company_name].id,
            email=login.email,
            name=USER_NAMES[login.email],
            password_hash=portal.password_hasher.hash(login.password),
            language=login.language,
            role=login.role,
            may_approve=login.may_approve,
            active=True,
            created_at=world.now - timedelta(days=SPAN_DAYS + RECENT_DAYS + 30),
        )
        session.add(user)
        world.users[login.email] = user
    for login in DEMO_LOGINS:
        company = world.companies[login.company_name]
        if login.role is Role.COMPANY_ADMIN and not company.contact_name:
            company.contact_name = USER_NAMES[login.email]
    session.flush()


def add_links(session: Session, world: World) -> None:
    """The demo links, the e-mail customer, and registers of generated customers."""
    rng = world.rng
    created = world.now - timedelta(days=SPAN_DAYS + RECENT_DAYS + 20)
    gemeente_admin = world.users["emma@voorbeeld.example"]
    numbers: dict[str, int] = {}

    def add(sender: str, recipient: str | None, state: CustomerLinkState, weight: float) -> None:
        numbers[sender] = numbers.get(sender, 0) + 1
        spec = world.specs[sender]
        number = f"K{numbers[sender]:04d}" if spec.country == "SE" else f"D{numbers[sender]:05d}"
        if recipient is None:
            customer = Customer(
                customer_number=number,
                channel=DeliveryChannel.EMAIL,
                peppol_id="",
                **EMAIL_CUSTOMER,
            )
            target = None
        else:
            target = world.specs[recipient]
            customer = Customer(
                recipient_company_id=world.companies[recipient].id,
                customer_number=number,
                name=target.name,
                email=target.email,
                country=target.country,
                org_id=target.org_id,
                vat_number=target.vat_number,
                peppol_id=str(target.peppol),
                channel=DeliveryChannel.PORTAL,
            )
            if target.requires_sender_approval and state is not CustomerLinkState.PENDING_APPROVAL:
                customer.decided_at = created + timedelta(days=2)
                customer.decided_by_user_id = gemeente_admin.id
        customer.sender_company_id = world.companies[sender].id
        customer.state = state
        customer.created_at = created
        session.add(customer)
        world.links.append(
            Link(
                customer,
                spec,
                world.companies[sender].id,
                target,
                world.companies[recipient].id if recipient else None,
                rng.choice(BUYER_REFERENCES),
                weight,
            )
        )

    for sender, recipient, state, share in DEMO_LINKS:
        add(sender, recipient, state, share)
    add(ACME, None, CustomerLinkState.APPROVED, EMAIL_CUSTOMER_SHARE)

    demo = [s.name for s in DEMO_COMPANIES if s.name != SUPPORT]
    extra = [s.name for s in world.specs.values() if s.name not in demo and s.name != SUPPORT]
    demo_sent = {name: 0.0 for name in demo}
    demo_received = {name: 0.0 for name in demo}
    for link in world.links:
        demo_sent[link.sender.name] += link.weight
        if link.recipient is not None:
            demo_received[link.recipient.name] += link.weight
    # Demo companies send to and receive from generated companies what their share leaves.
    for name in demo:
        customers = rng.sample(extra, 40)
        for recipient in customers:
            add(name, recipient, CustomerLinkState.APPROVED, 0.0)
        rest = (SENT_SHARE[name] - demo_sent[name]) / len(customers)
        for link in world.links[-len(customers) :]:
            link.weight = rest
    for name in demo:
        senders = rng.sample(extra, 40)
        rest = (RECEIVED_SHARE[name] - demo_received[name]) / len(senders)
        for sender in senders:
            add(sender, name, CustomerLinkState.APPROVED, rest)
    # Between generated companies: uneven registers and uneven volumes, like real ones.
    remaining = 1.0 - sum(link.weight for link in world.links)
    first_extra_link = len(world.links)
    for sender in extra:
        for recipient in rng.sample(extra, rng.randrange(5, 30)):
            if recipient != sender:
                add(sender, recipient, CustomerLinkState.APPROVED, rng.paretovariate(1.5))
    extra_links = world.links[first_extra_link:]
    total = sum(link.weight for link in extra_links)
    for link in extra_links:
        link.weight = link.weight / total * remaining
    session.flush()
