"""The three demo invoice templates, stored as ``services.templates`` stores them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ..db.models import InvoiceTemplate
from .companies import ACME, GEMEENTE, NORDISK, VAN_DIJK
from .logins import DEMO_LOGINS, USER_NAMES
from .world import World


def add_templates(session: Session, world: World) -> None:
    """Rows as ``services.templates`` stores them (its fields keys, decimals as strings)."""

    def payment(name: str) -> list[dict[str, str]]:
        spec = world.specs[name]
        code = "30" if spec.country == "SE" else "58"
        return [{"code": code, "iban": spec.iban, "bic": spec.bic, "account_name": spec.name}]

    def contact(email: str) -> dict[str, str]:
        company = world.specs[next(x.company_name for x in DEMO_LOGINS if x.email == email)]
        return {"name": USER_NAMES[email], "phone": company.phone, "email": email}

    templates = [
        (ACME, "anna@acme.example", "Consulting hours", {
            "customer_id": world.link(ACME, NORDISK).customer.id,
            "category": "Konsulttjänster", "currency": "SEK",
            "payment_terms": "30 dagar netto", "due_days": 30, "buyer_reference": "Projekt 12",
            "notes": ["Tack för er beställning!"], "payment_means": payment(ACME),
            "seller_contact": contact("anna@acme.example"),
            "lines": [{"name": "Konsulttimmar", "quantity": "8", "unit_code": "HUR",
                       "net_price": "950.00", "vat_category": "S", "vat_rate": "25",
                       "note": "Enligt avtal"}],
        }),
        (NORDISK, "erik@nordiskbygg.example", "Månadshyra kontor", {
            "customer_id": world.link(NORDISK, ACME).customer.id,
            "category": "Hyra", "currency": "SEK", "payment_terms": "Betalas i förskott",
            "due_days": 10, "buyer_reference": "Ekonomi", "payment_means": payment(NORDISK),
            "lines": [{"name": "Lokalhyra Hamngatan 12", "quantity": "1", "unit_code": "MON",
                       "net_price": "18500.00", "vat_category": "S", "vat_rate": "25"}],
        }),
        (GEMEENTE, "emma@voorbeeld.example", "Maandelijkse huur", {
            "customer_id": world.link(GEMEENTE, VAN_DIJK).customer.id,
            "category": "Huur", "currency": "EUR", "payment_terms": "Betaling binnen 14 dagen",
            "due_days": 14, "buyer_reference": "Facilitair",
            "notes": ["Huur bedrijfsruimte volgens huurovereenkomst 2023-114."],
            "payment_means": payment(GEMEENTE),
            "delivery": {"street": "Industrieweg 8", "city": "Eindhoven", "postal_code": "5627 BZ",
                         "country": "NL"},
            "lines": [{"name": "Huur bedrijfsruimte", "quantity": "1", "unit_code": "MON",
                       "net_price": "1450.00", "vat_category": "S", "vat_rate": "21"},
                      {"name": "Servicekosten", "quantity": "1", "unit_code": "MON",
                       "net_price": "185.00", "vat_category": "S", "vat_rate": "21",
                       "note": "Voorschot, jaarlijkse afrekening"}],
        }),
    ]  # fmt: skip
    for company, email, name, fields in templates:
        session.add(
            InvoiceTemplate(
                company_id=world.companies[company].id,
                name=name,
                fields=fields,
                created_by_user_id=world.user_id(email),
                updated_at=world.now - timedelta(days=40),
            )
        )
    session.flush()
