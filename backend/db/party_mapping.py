"""The parties of an invoice as the portal's records know them: the seller from the sending
company (and the user writing), the buyer from the customer register."""

from __future__ import annotations

from ..domain.invoice import Address, Contact, ParticipantId, Party
from .models import Company, Customer, User

# A buyer without a Peppol participant id is addressed (BT-49, which Peppol requires) by its
# organisation number or VAT number under the Peppol EAS scheme for it. "EM" (an e-mail address)
# is the last resort: Peppol's EAS list does not have it, so the validator then asks for an id.
ORG_NUMBER_SCHEMES = {"SE": "0007", "NL": "0106"}
VAT_SCHEMES = {
    "SE": "9955",
    "NL": "9944",
    "BE": "9925",
    "DE": "9930",
    "AT": "9914",
    "FR": "9957",
}
EMAIL_SCHEME = "EM"


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
    if endpoint is None and org_id and country in ORG_NUMBER_SCHEMES:
        endpoint = ParticipantId(ORG_NUMBER_SCHEMES[country], org_id)
    if endpoint is None and vat and vat[:2].upper() in VAT_SCHEMES:
        endpoint = ParticipantId(VAT_SCHEMES[vat[:2].upper()], vat)
    if endpoint is None and customer.email:
        endpoint = ParticipantId(EMAIL_SCHEME, customer.email)
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
