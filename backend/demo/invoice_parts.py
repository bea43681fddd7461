"""What demo invoices are made of: the variants the bulk invoices bill, terms and notes per
country, the parties of a link, and a domain ``Invoice`` over a link."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..domain.invoice import (
    Address,
    Contact,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    Party,
    PaymentMeans,
    VatExemption,
)
from ..domain.vat import VatCategory
from .companies import CompanySpec
from .world import Link


@dataclass(frozen=True, slots=True)
class _Variant:
    category: str
    line_name: str
    unit_code: str
    net_price: Decimal
    quantities: tuple[str, ...]
    vat_rate: Decimal
    note: str = ""


VARIANTS: dict[str, tuple[_Variant, ...]] = {
    "SE": (
        _Variant("Konsulttjänster", "Konsulttimmar", "HUR", Decimal("950.00"),
                 ("2", "4", "8", "16", "24", "40"), Decimal(25), "Enligt avtal"),
        _Variant("Hyra", "Lokalhyra", "MON", Decimal("8500.00"), ("1", "2", "3"), Decimal(25)),
        _Variant("Energi", "Elförbrukning", "KWH", Decimal("1.45"),
                 ("850", "1200", "2400", "4800"), Decimal(25), "Mätarställning avläst"),
        _Variant("Livsmedel", "Kaffe och bröd", "H87", Decimal("89.00"), ("10", "25", "50"),
                 Decimal(12)),
        _Variant("Kurslitteratur", "Facklitteratur", "H87", Decimal("395.00"), ("1", "5", "12"),
                 Decimal(6)),
    ),
    "NL": (
        _Variant("Algemene doorbelastingen", "Doorbelasting servicekosten", "C62",
                 Decimal("340.00"), ("1", "2", "4"), Decimal(21), "Volgens contract"),
        _Variant("Algemene kosten", "Kantoorbenodigdheden", "H87", Decimal("24.95"),
                 ("3", "10", "25"), Decimal(21)),
        _Variant("Huur", "Huur bedrijfsruimte", "MON", Decimal("1450.00"), ("1", "2", "3"),
                 Decimal(21)),
        _Variant("Energie", "Elektriciteit", "KWH", Decimal("0.32"), ("900", "1800", "3600"),
                 Decimal(21), "Meterstand opgenomen"),
        _Variant("Brood en banket", "Broodjes", "H87", Decimal("2.15"), ("20", "50", "120"),
                 Decimal(9)),
    ),
}  # fmt: skip

TERMS = {"SE": ("30 dagar netto", 30), "NL": ("Betaling binnen 30 dagen", 30)}
_NOTES = {
    "SE": ["Tack för er beställning!"],
    "NL": ["Graag betalen onder vermelding van het factuurnummer."],
}
_CURRENCY = {"SE": "SEK", "NL": "EUR"}
REVERSE_CHARGE = VatExemption("Omvänd betalningsskyldighet / Reverse charge", "VATEX-EU-AE")


def _party(spec: CompanySpec, *, seller: bool = False) -> Party:
    return Party(
        name=spec.name,
        address=Address(
            street=spec.street,
            city=spec.city,
            postal_code=spec.postal_code,
            country_code=spec.country,
        ),
        legal_id=spec.peppol.value,
        legal_id_scheme=spec.peppol.scheme,
        vat_number=spec.vat_number,
        # BT-32, the seller's: Swedish invoices state the F-tax approval.
        tax_registration_id="Godkänd för F-skatt" if seller and spec.country == "SE" else "",
        endpoint=spec.peppol,
        contact=Contact(phone=spec.phone, email=spec.email),
    )


def _buyer(link: Link) -> Party:
    if link.recipient is not None:
        return _party(link.recipient)
    customer = link.customer
    return Party(
        name=customer.name,
        address=Address(country_code=customer.country),
        legal_id=customer.org_id,
        vat_number=customer.vat_number,
        contact=Contact(email=customer.email),
    )


def make_invoice(
    link: Link,
    lines: list[InvoiceLine],
    *,
    category: str,
    currency: str | None = None,
    kind: DocumentKind = DocumentKind.INVOICE,
    issue_date: date | None = None,
    number: str = "",
    preceding: list[InvoiceReference] | None = None,
    exemptions: dict[VatCategory, VatExemption] | None = None,
) -> Invoice:
    country = link.sender.country
    terms, due_days = TERMS[country]
    issued = issue_date or link.customer.created_at.date()
    return Invoice(
        kind=kind,
        number=number,
        issue_date=issued,
        due_date=issued + timedelta(days=due_days) if kind is DocumentKind.INVOICE else None,
        currency=currency or _CURRENCY[country],
        category=category,
        seller=_party(link.sender, seller=True),
        buyer=_buyer(link),
        lines=lines,
        payment_terms=terms,
        buyer_reference=link.buyer_reference,
        payment_means=[
            PaymentMeans(
                code="30" if country == "SE" else "58",
                iban=link.sender.iban,
                bic=link.sender.bic,
                account_name=link.sender.name,
            )
        ],
        notes=list(_NOTES[country]),
        preceding_invoices=preceding or [],
        vat_exemptions=exemptions or {},
    )


def variant_line(variant: _Variant, quantity: str, reverse_charge: bool) -> InvoiceLine:
    return InvoiceLine(
        id="1",
        name=variant.line_name,
        quantity=Decimal(quantity),
        unit_code=variant.unit_code,
        net_price=variant.net_price,
        vat_category=VatCategory.REVERSE_CHARGE if reverse_charge else VatCategory.STANDARD,
        vat_rate=Decimal(0) if reverse_charge else variant.vat_rate,
        note=variant.note,
    )


@functools.cache
def timestamp(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` UTC; cached, as a million bulk rows ask for the same few."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)
