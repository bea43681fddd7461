"""The hand-written invoices and credit notes of the last two weeks, which show every state,
delivery failures with their history, VAT rates, reverse charge and both currencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ..db.invoice_mapping import apply_invoice
from ..db.models import DeliveryEvent, InvoiceRow
from ..domain.invoice import DocumentKind, InvoiceLine, InvoiceReference, VatExemption
from ..domain.states import InvoiceState
from ..domain.vat import VatCategory
from .companies import ACME, DE_VRIES, GEMEENTE, NORDISK, VAN_DIJK
from .invoice_parts import REVERSE_CHARGE, make_invoice, timestamp
from .logins import USER_NAMES, WRITERS
from .world import Link, World


@dataclass(frozen=True, slots=True)
class _Line:
    name: str
    quantity: str
    unit_code: str
    net_price: str
    rate: str | None = None  # None: the sender country's standard rate
    category: VatCategory = VatCategory.STANDARD
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Curated:
    sender: str
    recipient: str | None  # None: Acme's customer outside the portal
    state: InvoiceState
    days_ago: int
    category: str
    lines: tuple[_Line, ...]
    read: bool = False
    currency: str | None = None
    credits: int | None = None  # index in CURATED of the invoice this credit note credits
    exemption: VatExemption | None = None
    last_error: str = ""


_SEND_FAILED = (
    "SMTP 550 5.1.1 <faktura@cafelindqvist.example>: Recipient address rejected: "
    "mailbox unavailable"
)

# In this order so that the first few already show the main sender and recipient and each state.
CURATED: tuple[_Curated, ...] = (
    _Curated(ACME, DE_VRIES, InvoiceState.DELIVERED, 9, "Konsulttjänster", (
        _Line("Implementation workshop", "2", "DAY", "1250.00", "0", VatCategory.REVERSE_CHARGE,
              "On site in Utrecht, 3 and 4 March"),
        _Line("Travel expenses", "1", "C62", "340.00", "0", VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=REVERSE_CHARGE),
    _Curated(ACME, NORDISK, InvoiceState.DELIVERED, 12, "Konsulttjänster", (
        _Line("Konsulttimmar", "24", "HUR", "950.00", note="Projekt Norra Kajen, vecka 10"),
        _Line("Tågresa Stockholm–Göteborg", "2", "C62", "845.00", "6"),
        _Line("Lunchmöte", "4", "H87", "145.00", "12"),
    ), read=True),
    _Curated(ACME, NORDISK, InvoiceState.READY_FOR_APPROVAL, 1, "Konsulttjänster", (
        _Line("Konsulttimmar", "16", "HUR", "950.00", note="Projekt Norra Kajen, vecka 11"),
    )),
    _Curated(ACME, DE_VRIES, InvoiceState.DRAFT, 0, "Konsulttjänster", (
        _Line("Follow-up workshop", "1", "DAY", "1250.00", "0", VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=REVERSE_CHARGE),
    _Curated(ACME, NORDISK, InvoiceState.APPROVED, 2, "Konsulttjänster", (
        _Line("Projektledning", "6", "HUR", "1150.00"),
    )),
    _Curated(ACME, NORDISK, InvoiceState.SENDING, 0, "Hyra", (
        _Line("Andrahandsuthyrning förråd", "1", "MON", "2400.00"),
    )),
    _Curated(ACME, None, InvoiceState.FAILED, 3, "Konsulttjänster", (
        _Line("Menyrådgivning", "3", "HUR", "850.00"),
    ), last_error=_SEND_FAILED),
    _Curated(ACME, NORDISK, InvoiceState.DELIVERED, 4, "Konsulttjänster", (
        _Line("Konsulttimmar", "4", "HUR", "950.00", note="Kreditering: fel antal timmar v. 10"),
    ), credits=1),
    _Curated(ACME, None, InvoiceState.DELIVERED, 8, "Konsulttjänster", (
        _Line("Menyrådgivning", "2", "HUR", "850.00"),
        _Line("Kaffe och bröd", "12", "H87", "89.00", "12"),
    ), read=True),
    _Curated(NORDISK, ACME, InvoiceState.DELIVERED, 6, "Hyra", (
        _Line("Lokalhyra Hamngatan 12", "1", "MON", "18500.00", note="Avser april"),
    )),
    _Curated(VAN_DIJK, DE_VRIES, InvoiceState.DELIVERED, 5, "Algemene kosten", (
        _Line("Onderhoud koelcel", "3", "HUR", "65.00", note="Storing verholpen op 12 maart"),
        _Line("Koudemiddel R449A", "2", "KGM", "48.50"),
    )),
    _Curated(VAN_DIJK, GEMEENTE, InvoiceState.DELIVERED, 10, "Algemene doorbelastingen", (
        _Line("Doorbelasting keuring installaties", "1", "C62", "780.00"),
        _Line("Koffievoorziening monteurs", "1", "C62", "42.00", "9"),
    ), read=True),
    _Curated(VAN_DIJK, DE_VRIES, InvoiceState.DELIVERED, 2, "Algemene kosten", (
        _Line("Correctie onderhoud koelcel", "1", "HUR", "65.00", note="Eén uur te veel"),
    ), credits=10),
    _Curated(GEMEENTE, VAN_DIJK, InvoiceState.DELIVERED, 7, "Huur", (
        _Line("Huur bedrijfsruimte", "1", "MON", "1450.00", "0", VatCategory.EXEMPT,
              "Vrijgestelde verhuur"),
    ), read=True, exemption=VatExemption("Vrijgestelde verhuur van onroerende zaken")),
    _Curated(DE_VRIES, VAN_DIJK, InvoiceState.DELIVERED, 3, "Algemene kosten", (
        _Line("Lunchbroodjes", "40", "H87", "2.15", "9"),
        _Line("Appeltaart", "2", "H87", "18.50", "9", note="Voor de oplevering"),
    )),
    _Curated(GEMEENTE, DE_VRIES, InvoiceState.DELIVERED, 11, "Algemene doorbelastingen", (
        _Line("Afvalinzameling bedrijfsafval", "3", "MON", "42.50"),
    )),
    _Curated(NORDISK, ACME, InvoiceState.DELIVERED, 13, "Energi", (
        _Line("Elförbrukning", "2400", "KWH", "1.45", note="Mätarställning 48 211"),
    ), read=True),
    _Curated(VAN_DIJK, ACME, InvoiceState.DELIVERED, 4, "Energie", (
        _Line("Installatie laadpaal", "1", "C62", "1890.00", "0", VatCategory.REVERSE_CHARGE),
    ), exemption=REVERSE_CHARGE),
    _Curated(NORDISK, GEMEENTE, InvoiceState.DRAFT, 1, "Konsulttjänster", (
        _Line("Konsulttimmar", "8", "HUR", "980.00", "0", VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=REVERSE_CHARGE),
    _Curated(ACME, GEMEENTE, InvoiceState.DRAFT, 0, "Konsulttjänster", (
        _Line("Workshop digital fakturering", "1", "DAY", "1250.00", "0",
              VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=REVERSE_CHARGE),
)  # fmt: skip


def _domain_line(position: int, line: _Line, country: str) -> InvoiceLine:
    rate = line.rate if line.rate is not None else ("25" if country == "SE" else "21")
    return InvoiceLine(
        id=str(position + 1),
        name=line.name,
        quantity=Decimal(line.quantity),
        unit_code=line.unit_code,
        net_price=Decimal(line.net_price),
        vat_category=line.category,
        vat_rate=Decimal(rate),
        note=line.note,
    )


def add_curated_invoice(session: Session, world: World, spec: _Curated) -> None:
    link = world.link(spec.sender, spec.recipient)
    issued = world.now.date() - timedelta(days=spec.days_ago)
    writer, approvers = WRITERS[spec.sender]
    kind = DocumentKind.CREDIT_NOTE if spec.credits is not None else DocumentKind.INVOICE
    credited = world.curated_rows[spec.credits] if spec.credits is not None else None
    draft = spec.state is InvoiceState.DRAFT
    invoice = make_invoice(
        link,
        [_domain_line(i, line, link.sender.country) for i, line in enumerate(spec.lines)],
        category=spec.category,
        currency=spec.currency,
        kind=kind,
        issue_date=issued,
        number="" if draft else world.number(link),
        preceding=[InvoiceReference(credited.number or "", credited.issue_date)]
        if credited is not None
        else None,
        exemptions={
            line.category: spec.exemption
            for line in spec.lines
            if spec.exemption and line.category is not VatCategory.STANDARD
        },
    )
    invoice.seller.contact.name = USER_NAMES[writer]
    row = InvoiceRow(
        state=spec.state,
        sender_company_id=link.sender_id,
        customer_id=link.customer.id,
        recipient_company_id=link.recipient_id,
        channel=link.customer.channel,
        credited_invoice_id=credited.id if credited is not None else None,
        created_by_user_id=world.user_id(writer),
        created_at=timestamp(issued, 8, 5),
        last_error=spec.last_error,
    )
    apply_invoice(row, invoice)
    if not draft:
        row.submitted_at = timestamp(issued, 8, 40)
    if spec.state in (InvoiceState.APPROVED, InvoiceState.SENDING, *_SENT):
        row.approved_by_user_id = world.user_id(approvers[-1])
        row.approved_at = timestamp(issued, 11, 10)
    steps: list[tuple[datetime, InvoiceState, str]] = []
    if spec.state in (InvoiceState.SENDING, *_SENT):
        steps.append((timestamp(issued, 11, 11), InvoiceState.SENDING, ""))
    if spec.state is InvoiceState.FAILED:
        steps.append((timestamp(issued, 11, 12), InvoiceState.FAILED, spec.last_error))
        steps.append((timestamp(issued, 12, 12), InvoiceState.SENDING, "Retry 1 of 3"))
        steps.append((timestamp(issued, 12, 13), InvoiceState.FAILED, spec.last_error))
    if spec.state is InvoiceState.DELIVERED:
        row.delivered_at = timestamp(issued, 11, 12)
        portal = link.recipient_id is not None
        steps.append((row.delivered_at, InvoiceState.DELIVERED, _delivered_detail(link)))
        if portal:
            row.inbox_company_id = link.recipient_id
            if spec.read:
                row.read_at = min(timestamp(issued + timedelta(days=1), 9, 30), world.now)
    row.updated_at = max([row.created_at, *(at for at, _state, _detail in steps)])
    row.deliveries = [
        DeliveryEvent(at=at, channel=link.customer.channel, state=state, detail=detail)
        for at, state, detail in steps
    ]
    session.add(row)
    session.flush()
    world.curated_rows.append(row)


_SENT = (InvoiceState.DELIVERED, InvoiceState.FAILED)


def _delivered_detail(link: Link) -> str:
    if link.recipient is None:
        return f"Sent by e-mail to {link.customer.email}"
    return f"Delivered to the portal inbox of {link.recipient.name}"
