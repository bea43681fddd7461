"""The parties of an invoice as the portal's records know them: the seller from the sending
company (and the user writing), the buyer from the customer register."""

from __future__ import annotations

from ..domain.invoice import Address, Contact, ParticipantId, Party
from ..domain.party_ids import endpoint_from_ids
from .models import Company, Customer, User


def participant(text: str) -> ParticipantId | None:
    """``"0007:5560360793"`` as a ParticipantId; None for anything else."""
    scheme, colon, value = (text or "").partition(":")
    return ParticipantId(scheme.strip(), value.strip()) if colon and value.strip() else None


def seller_party(company: Company, user: User | None = None) -> Party:
    return Party(
        name=company.name,
        address=Address(
            street=company.street,
            city=company.city,
            postal_code=company.postal_code,
            country_code=company.country,
        ),
        legal_id=company.org_id,
        vat_number=company.vat_number or "",
        endpoint=participant(company.peppol_id),
        contact=Contact(
            name=(user.name if user else "") or company.contact_name,
            phone=(user.phone if user else "") or company.phone,
            email=company.email or (user.email if user else ""),
        ),
    )


def buyer_party(customer: Customer) -> Party:
    """The buyer as the register knows it; a member's address comes from its company."""
    member = customer.recipient
    endpoint = participant(customer.peppol_id) or (
        participant(member.peppol_id) if member is not None else None
    )
    country = member.country if member is not None else customer.country
    org_id = customer.org_id or (member.org_id if member is not None else "")
    vat = customer.vat_number or (member.vat_number or "" if member else "")
    endpoint = endpoint or endpoint_from_ids(country, org_id, vat, customer.email)
    address = Address(country_code=customer.country)
    if member is not None:
        address = Address(
            street=member.street,
            city=member.city,
            postal_code=member.postal_code,
            country_code=member.country,
        )
    return Party(
        name=member.name if member is not None else customer.name,
        address=address,
        legal_id=org_id,
        vat_number=vat,
        endpoint=endpoint,
        contact=Contact(email=customer.email),
    )
