"""A valid Swedish invoice from Acme to Bakker, and a customer link to send it on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from backend.db.models import Customer
from backend.domain.invoice import (
    Address,
    DocumentKind,
    Invoice,
    InvoiceLine,
    ParticipantId,
    Party,
    PaymentMeans,
)
from backend.domain.states import CustomerLinkState
from backend.domain.vat import VatCategory
from backend.services.context import Portal


def sample_invoice(*, number: str = "", category: str = "Algemene doorbelastingen") -> Invoice:
    return Invoice(
        kind=DocumentKind.INVOICE,
        number=number,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        currency="SEK",
        category=category,
        buyer_reference="PO-77",
        seller=Party(
            name="Acme AB",
            address=Address(
                street="Storgatan 1", city="Stockholm", postal_code="111 22", country_code="SE"
            ),
            legal_id="5560360793",
            vat_number="SE556036079301",
            endpoint=ParticipantId("0007", "5560360793"),
        ),
        buyer=Party(
            name="Bakker BV",
            address=Address(
                street="Dam 1", city="Amsterdam", postal_code="1012 JS", country_code="NL"
            ),
            legal_id="12345678",
            vat_number="NL004495445B01",
            endpoint=ParticipantId("0106", "12345678"),
        ),
        payment_means=[PaymentMeans(code="30", iban="SE4550000000058398257466")],
        lines=[
            InvoiceLine(
                id="1",
                name="Konsulttimmar",
                quantity=Decimal("10"),
                unit_code="HUR",
                net_price=Decimal("950.00"),
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal("25"),
            )
        ],
    )


def add_customer_link(
    portal: Portal,
    sender_company_id: int,
    recipient_company_id: int,
    *,
    state: CustomerLinkState = CustomerLinkState.APPROVED,
    number: str = "K-1",
) -> int:
    """The sender's register entry for the recipient (made on first use)."""
    with portal.sessions.begin() as session:
        existing = session.scalars(
            select(Customer).where(
                Customer.sender_company_id == sender_company_id,
                Customer.recipient_company_id == recipient_company_id,
            )
        ).first()
        if existing is not None:
            return existing.id
        customer = Customer(
            sender_company_id=sender_company_id,
            recipient_company_id=recipient_company_id,
            customer_number=number,
            name="Bakker BV",
            state=state,
        )
        session.add(customer)
        session.flush()
        return customer.id
