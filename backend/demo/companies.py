"""The demo companies by name, the customer outside the portal, and the links between them
with the share of the bulk invoices each link and company sends and receives."""

from __future__ import annotations

from dataclasses import dataclass

from ..db.models.accounts import MembershipLevel
from ..domain.invoice import ParticipantId
from ..domain.states import CustomerLinkState

ACME = "Acme Sverige AB"
NORDISK = "Nordisk Bygg AB"
DE_VRIES = "Bakkerij De Vries B.V."
VAN_DIJK = "Van Dijk Installatietechniek B.V."
GEMEENTE = "Gemeente Voorbeeld"
SUPPORT = "Invoice Portal Support"


@dataclass(frozen=True, slots=True)
class CompanySpec:
    name: str
    country: str
    org_id: str  # canonical, as identifiers.org_number writes it
    vat_number: str
    iban: str
    bic: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    level: MembershipLevel
    prefix: str = ""
    four_eyes: bool = False
    requires_sender_approval: bool = False

    @property
    def peppol(self) -> ParticipantId:
        scheme = "0007" if self.country == "SE" else "0106"
        return ParticipantId(scheme, self.org_id)


DEMO_COMPANIES = (
    CompanySpec(
        SUPPORT, "SE", "5591234561", "SE559123456101", "SE7160000000000123456789", "HANDSESS",
        "Sveavägen 44", "111 34", "Stockholm", "+46 8 123 400 00", "support@portal.example",
        MembershipLevel.PREMIUM,
    ),
    CompanySpec(
        ACME, "SE", "5560360793", "SE556036079301", "SE4550000000058398257466", "ESSESESS",
        "Storgatan 1", "111 22", "Stockholm", "+46 8 555 010 10", "faktura@acme.example",
        MembershipLevel.PREMIUM, prefix="ACME-", four_eyes=True,
    ),
    CompanySpec(
        NORDISK, "SE", "5567037485", "SE556703748501", "SE2780000000012345678901", "SWEDSESS",
        "Hamngatan 12", "411 14", "Göteborg", "+46 31 700 20 20", "ekonomi@nordiskbygg.example",
        MembershipLevel.PLUS, prefix="NB",
    ),
    CompanySpec(
        DE_VRIES, "NL", "63548211", "NL908301662B01", "NL91ABNA0417164300", "ABNANL2A",
        "Oudegracht 112", "3511 AX", "Utrecht", "+31 30 231 44 10", "info@devries.example",
        MembershipLevel.FREE, prefix="BDV-",
    ),
    CompanySpec(
        VAN_DIJK, "NL", "17283945", "NL131860914B01", "NL20INGB0001234567", "INGBNL2A",
        "Industrieweg 8", "5627 BZ", "Eindhoven", "+31 40 250 61 00", "info@vandijk.example",
        MembershipLevel.PLUS, prefix="VDI",
    ),
    CompanySpec(
        GEMEENTE, "NL", "50239764", "NL390996038B01", "NL27BNGH0285087912", "BNGHNL2G",
        "Raadhuisplein 1", "1234 AB", "Voorbeeld", "+31 14 0123", "facturen@voorbeeld.example",
        MembershipLevel.PREMIUM, prefix="GV-", requires_sender_approval=True,
    ),
)  # fmt: skip

# The customer outside the portal: Acme reaches it by e-mail.
EMAIL_CUSTOMER = {
    "name": "Café Lindqvist",
    "email": "faktura@cafelindqvist.example",
    "country": "SE",
    "org_id": "5568123458",
    "vat_number": "SE556812345801",
}

# Links between demo companies: (sender, recipient, state, share of all bulk invoices).
DEMO_LINKS = (
    (ACME, NORDISK, CustomerLinkState.APPROVED, 0.008),
    (ACME, DE_VRIES, CustomerLinkState.APPROVED, 0.012),
    (ACME, GEMEENTE, CustomerLinkState.PENDING_APPROVAL, 0.0),
    (NORDISK, ACME, CustomerLinkState.APPROVED, 0.006),
    (NORDISK, GEMEENTE, CustomerLinkState.REJECTED, 0.0),
    (VAN_DIJK, DE_VRIES, CustomerLinkState.APPROVED, 0.006),
    (VAN_DIJK, GEMEENTE, CustomerLinkState.APPROVED, 0.008),
    (VAN_DIJK, ACME, CustomerLinkState.APPROVED, 0.002),
    (DE_VRIES, VAN_DIJK, CustomerLinkState.APPROVED, 0.002),
    (DE_VRIES, GEMEENTE, CustomerLinkState.APPROVED, 0.003),
    (GEMEENTE, VAN_DIJK, CustomerLinkState.APPROVED, 0.004),
    (GEMEENTE, DE_VRIES, CustomerLinkState.APPROVED, 0.004),
)
EMAIL_CUSTOMER_SHARE = 0.002

# Share of all bulk invoices each demo company sends and receives in total; what the demo links
# above leave over goes to and comes from the generated companies.
SENT_SHARE = {ACME: 0.05, NORDISK: 0.02, VAN_DIJK: 0.03, DE_VRIES: 0.01, GEMEENTE: 0.02}
RECEIVED_SHARE = {ACME: 0.02, NORDISK: 0.02, VAN_DIJK: 0.015, DE_VRIES: 0.05, GEMEENTE: 0.04}

# Each customer link gives one of these as the buyer reference of its invoices.
BUYER_REFERENCES = ("Inköp", "Ekonomi", "Projekt 12", "Kostnadsställe 4100", "Facilitair",
                     "Inkoop", "Kostenplaats 310", "Administratie")  # fmt: skip
