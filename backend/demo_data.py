"""Demo data: companies, logins, customer links, templates and any number of invoices.

``load_demo_data`` fills an empty, migrated database in one transaction, so it either loads
everything or nothing. What it makes:

- Six companies with valid identifiers (organisation, VAT, IBAN/BIC, Peppol id): Acme Sverige AB
  (SE, the main sender, Premium, four eyes), Nordisk Bygg AB (SE, Plus), Bakkerij De Vries B.V.
  (NL, the main recipient, Free), Van Dijk Installatietechniek B.V. (NL, Plus), Gemeente
  Voorbeeld (NL, Premium, approves its senders) and Invoice Portal Support (SE, the portal's own
  support and admin users). ``DEMO_LOGINS`` lists their users.
- Customer links in every state, among them one customer outside the portal (by e-mail), and
  three templates.
- About twenty hand-written invoices and credit notes from the last two weeks that show every
  invoice state, delivery failures with their history, read and unread invoices, NL and SE VAT
  rates, reverse charge, SEK and EUR. The remaining invoices are bulk: spread over three years
  and over the demo companies and about two hundred generated ones (``_SENT_SHARE`` and
  ``_RECEIVED_SHARE`` say how much each demo company sends and receives), numbered from each
  sender's sequence, mostly delivered, about 30 % of them unread. Each has one line.

The bulk is written for speed: a row per invoice is put together from parts computed once per
customer link and invoice variant (header JSON, amounts from ``compute_totals``, the line), its
values passed through each column type's own bind processor as SQLAlchemy would, and inserted
with the driver's ``executemany`` (``COPY`` on PostgreSQL); the invoice table's secondary
indexes are dropped for the load and built again at the end, inside the same transaction. A
million invoices take about 100 s on SQLite and need about 3 GB of memory while loading.
"""

from __future__ import annotations

import functools
import logging
import operator
import random
import time as time_
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text, update
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum import luhn

from .db.invoice_mapping import apply_invoice, header_to_json, search_key
from .db.models import (
    Company,
    Customer,
    DeliveryChannel,
    DeliveryEvent,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceTemplate,
    Role,
    User,
)
from .db.models.accounts import CompanyStatus, MembershipLevel
from .domain.errors import N_, DomainError
from .domain.invoice import (
    Address,
    Contact,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    ParticipantId,
    Party,
    PaymentMeans,
    VatExemption,
)
from .domain.numbering import format_invoice_number
from .domain.states import CustomerLinkState, InvoiceState
from .domain.totals import compute_totals
from .domain.vat import VatCategory
from .services.context import Portal

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo2026"  # noqa: S105 - published on purpose: these are demo logins


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo user: the login (an e-mail address), its password, language, role and company."""

    email: str
    password: str
    language: str
    role: Role
    company_name: str
    may_approve: bool = False


ACME = "Acme Sverige AB"
NORDISK = "Nordisk Bygg AB"
DE_VRIES = "Bakkerij De Vries B.V."
VAN_DIJK = "Van Dijk Installatietechniek B.V."
GEMEENTE = "Gemeente Voorbeeld"
SUPPORT = "Invoice Portal Support"

# Every demo login has the password "demo2026". The e-mail domains are under .example, which
# never reaches a real mailbox.
DEMO_LOGINS: list[DemoLogin] = [
    # Acme Sverige AB sends most: four eyes is on, so Bo writes and Anna or Karin approves.
    DemoLogin("anna@acme.example", DEMO_PASSWORD, "sv", Role.COMPANY_ADMIN, ACME, True),
    DemoLogin("bo@acme.example", DEMO_PASSWORD, "en", Role.MEMBER, ACME),
    DemoLogin("karin@acme.example", DEMO_PASSWORD, "sv", Role.MEMBER, ACME, True),
    DemoLogin("erik@nordiskbygg.example", DEMO_PASSWORD, "sv", Role.COMPANY_ADMIN, NORDISK, True),
    # Bakkerij De Vries receives most: from Acme, Van Dijk, the Gemeente and many others.
    DemoLogin("pieter@devries.example", DEMO_PASSWORD, "nl", Role.COMPANY_ADMIN, DE_VRIES, True),
    DemoLogin("sanne@devries.example", DEMO_PASSWORD, "nl", Role.MEMBER, DE_VRIES),
    DemoLogin("jan@vandijk.example", DEMO_PASSWORD, "nl", Role.COMPANY_ADMIN, VAN_DIJK, True),
    # The Gemeente approves its senders: Acme awaits its approval, Nordisk Bygg was rejected.
    DemoLogin("emma@voorbeeld.example", DEMO_PASSWORD, "en", Role.COMPANY_ADMIN, GEMEENTE, True),
    DemoLogin("noor@voorbeeld.example", DEMO_PASSWORD, "nl", Role.MEMBER, GEMEENTE),
    DemoLogin("support@portal.example", DEMO_PASSWORD, "en", Role.SUPPORT, SUPPORT),
    DemoLogin("admin@portal.example", DEMO_PASSWORD, "en", Role.PORTAL_ADMIN, SUPPORT),
]

_USER_NAMES = {
    "anna@acme.example": "Anna Lindberg",
    "bo@acme.example": "Bo Ek",
    "karin@acme.example": "Karin Holm",
    "erik@nordiskbygg.example": "Erik Nilsson",
    "pieter@devries.example": "Pieter de Vries",
    "sanne@devries.example": "Sanne Bakker",
    "jan@vandijk.example": "Jan van Dijk",
    "emma@voorbeeld.example": "Emma Jansen",
    "noor@voorbeeld.example": "Noor Visser",
    "support@portal.example": "Sara Berg",
    "admin@portal.example": "Olof Strand",
}


class DemoDataRefused(DomainError):
    """The database already holds demo data, or other data that demo logins must not join."""


@dataclass(frozen=True, slots=True)
class _CompanySpec:
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


_DEMO_COMPANIES = (
    _CompanySpec(
        SUPPORT, "SE", "5591234561", "SE559123456101", "SE7160000000000123456789", "HANDSESS",
        "Sveavägen 44", "111 34", "Stockholm", "+46 8 123 400 00", "support@portal.example",
        MembershipLevel.PREMIUM,
    ),
    _CompanySpec(
        ACME, "SE", "5560360793", "SE556036079301", "SE4550000000058398257466", "ESSESESS",
        "Storgatan 1", "111 22", "Stockholm", "+46 8 555 010 10", "faktura@acme.example",
        MembershipLevel.PREMIUM, prefix="ACME-", four_eyes=True,
    ),
    _CompanySpec(
        NORDISK, "SE", "5567037485", "SE556703748501", "SE2780000000012345678901", "SWEDSESS",
        "Hamngatan 12", "411 14", "Göteborg", "+46 31 700 20 20", "ekonomi@nordiskbygg.example",
        MembershipLevel.PLUS, prefix="NB",
    ),
    _CompanySpec(
        DE_VRIES, "NL", "63548211", "NL908301662B01", "NL91ABNA0417164300", "ABNANL2A",
        "Oudegracht 112", "3511 AX", "Utrecht", "+31 30 231 44 10", "info@devries.example",
        MembershipLevel.FREE, prefix="BDV-",
    ),
    _CompanySpec(
        VAN_DIJK, "NL", "17283945", "NL131860914B01", "NL20INGB0001234567", "INGBNL2A",
        "Industrieweg 8", "5627 BZ", "Eindhoven", "+31 40 250 61 00", "info@vandijk.example",
        MembershipLevel.PLUS, prefix="VDI",
    ),
    _CompanySpec(
        GEMEENTE, "NL", "50239764", "NL390996038B01", "NL27BNGH0285087912", "BNGHNL2G",
        "Raadhuisplein 1", "1234 AB", "Voorbeeld", "+31 14 0123", "facturen@voorbeeld.example",
        MembershipLevel.PREMIUM, prefix="GV-", requires_sender_approval=True,
    ),
)  # fmt: skip

# The customer outside the portal: Acme reaches it by e-mail.
_EMAIL_CUSTOMER = {
    "name": "Café Lindqvist",
    "email": "faktura@cafelindqvist.example",
    "country": "SE",
    "org_id": "5568123458",
    "vat_number": "SE556812345801",
}

# Links between demo companies: (sender, recipient, state, share of all bulk invoices).
_DEMO_LINKS = (
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
_EMAIL_CUSTOMER_SHARE = 0.002

# Share of all bulk invoices each demo company sends and receives in total; what the demo links
# above leave over goes to and comes from the generated companies.
_SENT_SHARE = {ACME: 0.05, NORDISK: 0.02, VAN_DIJK: 0.03, DE_VRIES: 0.01, GEMEENTE: 0.02}
_RECEIVED_SHARE = {ACME: 0.02, NORDISK: 0.02, VAN_DIJK: 0.015, DE_VRIES: 0.05, GEMEENTE: 0.04}

# Who writes and who approves a demo company's invoices (four eyes at Acme).
_WRITERS = {
    ACME: ("bo@acme.example", ("anna@acme.example", "karin@acme.example")),
    NORDISK: ("erik@nordiskbygg.example", ("erik@nordiskbygg.example",)),
    DE_VRIES: ("sanne@devries.example", ("pieter@devries.example",)),
    VAN_DIJK: ("jan@vandijk.example", ("jan@vandijk.example",)),
    GEMEENTE: ("noor@voorbeeld.example", ("emma@voorbeeld.example",)),
}

EXTRA_COMPANIES = 200
BATCH = 10_000
SPAN_DAYS = 3 * 365
# The hand-written invoices are from the last two weeks; the bulk ends before them, so numbers
# and dates go up together.
RECENT_DAYS = 14
UNREAD_SHARE = 0.3
CREDIT_NOTE_SHARE = 0.02


# --- Invoice variants: what the bulk invoices bill -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Variant:
    category: str
    line_name: str
    unit_code: str
    net_price: Decimal
    quantities: tuple[str, ...]
    vat_rate: Decimal
    note: str = ""


_VARIANTS: dict[str, tuple[_Variant, ...]] = {
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

_TERMS = {"SE": ("30 dagar netto", 30), "NL": ("Betaling binnen 30 dagen", 30)}
_NOTES = {
    "SE": ["Tack för er beställning!"],
    "NL": ["Graag betalen onder vermelding van het factuurnummer."],
}
_CURRENCY = {"SE": "SEK", "NL": "EUR"}
_REVERSE_CHARGE = VatExemption("Omvänd betalningsskyldighet / Reverse charge", "VATEX-EU-AE")


# --- Generated companies ---------------------------------------------------------------------

_SE_SURNAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Lindqvist",
    "Bergström",
    "Lundgren",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Åkesson",
    "Öberg",
    "Ekström",
    "Holmberg",
)
_SE_TRADES = (
    "Bygg",
    "El",
    "Måleri",
    "Transport",
    "Konsult",
    "Redovisning",
    "Fastigheter",
    "VVS",
    "Data",
    "Städ",
    "Trädgård",
    "Mekaniska",
    "Livs",
    "Design",
    "Åkeri",
)
_SE_CITIES = (
    ("Stockholm", "11"),
    ("Göteborg", "41"),
    ("Malmö", "21"),
    ("Uppsala", "75"),
    ("Västerås", "72"),
    ("Örebro", "70"),
    ("Linköping", "58"),
    ("Umeå", "90"),
    ("Lund", "22"),
)
_SE_STREETS = (
    "Storgatan",
    "Kungsgatan",
    "Drottninggatan",
    "Industrivägen",
    "Hamngatan",
    "Järnvägsgatan",
    "Skolgatan",
    "Åsgatan",
)
_SE_BANKS = (("500", "ESSESESS"), ("800", "SWEDSESS"), ("600", "HANDSESS"), ("300", "NDEASESS"))
_NL_SURNAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "van der Meer",
)
_NL_TRADES = (
    "Bouw",
    "Installatie",
    "Transport",
    "Schilders",
    "Advies",
    "Administratie",
    "Vastgoed",
    "Techniek",
    "Catering",
    "Schoonmaak",
    "Hoveniers",
    "ICT",
    "Logistiek",
)
_NL_CITIES = (
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Utrecht",
    "Groningen",
    "Tilburg",
    "Breda",
    "Nijmegen",
    "Zwolle",
    "Haarlem",
    "Almere",
)
_NL_STREETS = (
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Industrieweg",
    "Molenweg",
    "Havenstraat",
    "Marktplein",
    "Nieuweweg",
)
_NL_BANKS = (("ABNA", "ABNANL2A"), ("INGB", "INGBNL2A"), ("RABO", "RABONL2U"), ("TRIO", "TRIONL2U"))
_BUYER_REFERENCES = ("Inköp", "Ekonomi", "Projekt 12", "Kostnadsställe 4100", "Facilitair",
                     "Inkoop", "Kostenplaats 310", "Administratie")  # fmt: skip


def _swedish_org_id(rng: random.Random) -> str:
    body = "556" + "".join(rng.choice("0123456789") for _ in range(6))
    number = body + luhn.calc_check_digit(body)
    return number


def _dutch_kvk(rng: random.Random) -> str:
    return str(rng.randrange(10_000_000, 100_000_000))


def _dutch_vat(rng: random.Random) -> str:
    """NL + a 9-digit number that passes the eleven test + B01."""
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(7)]
        check = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
        if check < 10:
            return "NL" + "".join(map(str, digits)) + str(check) + "B01"


def _iban(country: str, bban: str) -> str:
    draft = f"{country}00{bban}"
    return f"{country}{stdnum_iban.calc_check_digits(draft)}{bban}"


def _generated_company(rng: random.Random, country: str, taken: set[str]) -> _CompanySpec:
    while True:
        if country == "SE":
            name = f"{rng.choice(_SE_SURNAMES)} {rng.choice(_SE_TRADES)} AB"
            org_id = _swedish_org_id(rng)
        else:
            surname = rng.choice(_NL_SURNAMES)
            name = f"{surname[0].upper()}{surname[1:]} {rng.choice(_NL_TRADES)} B.V."
            org_id = _dutch_kvk(rng)
        if name not in taken and org_id not in taken:
            taken.update((name, org_id))
            break
    slug = "".join(c for c in search_key(name) if c.isascii() and c.isalnum())[:20]
    number = rng.randrange(1, 120)
    if country == "SE":
        city, zone = rng.choice(_SE_CITIES)
        bank, bic = rng.choice(_SE_BANKS)
        return _CompanySpec(
            name, "SE", org_id, f"SE{org_id}01",
            _iban("SE", bank + "".join(rng.choice("0123456789") for _ in range(17))), bic,
            f"{rng.choice(_SE_STREETS)} {number}", f"{zone}{rng.randrange(1, 10)} "
            f"{rng.randrange(10, 100)}", city, f"+46 8 {rng.randrange(10**5, 10**6)}",
            f"faktura@{slug}.example", rng.choice(list(MembershipLevel)),
            prefix=rng.choice(("", "F", f"{rng.randrange(10, 99)}-")),
        )  # fmt: skip
    bank, bic = rng.choice(_NL_BANKS)
    return _CompanySpec(
        name, "NL", org_id, _dutch_vat(rng),
        _iban("NL", bank + "".join(rng.choice("0123456789") for _ in range(10))), bic,
        f"{rng.choice(_NL_STREETS)} {number}",
        f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
        f"{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}",
        rng.choice(_NL_CITIES), f"+31 {rng.randrange(10, 99)} {rng.randrange(10**6, 10**7)}",
        f"facturen@{slug}.example", rng.choice(list(MembershipLevel)),
        prefix=rng.choice(("", "F", f"{rng.randrange(10, 99)}-")),
    )  # fmt: skip


# --- The world: companies, users, links --------------------------------------------------------


@dataclass(slots=True)
class _Link:
    """A customer of a sender's register, with what every invoice over it shares."""

    customer: Customer
    sender: _CompanySpec
    sender_id: int
    recipient: _CompanySpec | None  # None: the customer outside the portal
    recipient_id: int | None
    buyer_reference: str
    weight: float = 0.0

    @property
    def cross_border(self) -> bool:
        country = self.recipient.country if self.recipient else self.customer.country
        return country != self.sender.country


@dataclass
class _World:
    now: datetime
    rng: random.Random
    companies: dict[str, Company] = field(default_factory=dict)
    specs: dict[str, _CompanySpec] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    links: list[_Link] = field(default_factory=list)
    next_number: dict[int, int] = field(default_factory=dict)
    curated_rows: list[InvoiceRow] = field(default_factory=list)

    def number(self, link: _Link) -> str:
        """The next number of the link's sender."""
        value = self.next_number.get(link.sender_id, 1)
        self.next_number[link.sender_id] = value + 1
        if value == 1:
            return format_invoice_number(link.sender.prefix, value)  # checks the prefix
        # As format_invoice_number writes it, without checking the prefix a million times.
        return f"{link.sender.prefix}{value:06d}"

    def link(self, sender: str, recipient: str | None) -> _Link:
        for link in self.links:
            if link.sender.name == sender and (
                (link.recipient.name if link.recipient else None) == recipient
            ):
                return link
        raise KeyError((sender, recipient))

    def user_id(self, email: str) -> int:
        return self.users[email].id


def has_demo_data(portal: Portal) -> bool:
    """Whether the demo logins exist (the command line's ``--once`` asks this first)."""
    emails = [login.email for login in DEMO_LOGINS]
    with portal.sessions() as session:
        return session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def load_demo_data(portal: Portal, *, invoices: int = 200, seed: int = 1) -> list[DemoLogin]:
    """Fill an empty, migrated database with the demo world and ``invoices`` invoices in total.

    Refused (``DemoDataRefused``) when the demo data is there already or the database holds any
    company: demo logins with a published password must never join real data. The same seed
    and clock give the same data.
    """
    if invoices < 0:
        raise ValueError("invoices must not be negative")
    if has_demo_data(portal):
        raise DemoDataRefused(N_("The demo data is loaded already."))
    with portal.transaction(writes=True) as session:
        if session.scalar(select(func.count()).select_from(Company)):
            raise DemoDataRefused(N_("Demo data goes into an empty database only."))
        world = _World(now=portal.clock(), rng=random.Random(seed))  # noqa: S311
        _add_companies(session, world)
        _add_users(session, world, portal)
        _add_links(session, world)
        _add_templates(session, world)
        curated = _CURATED[: min(invoices, len(_CURATED))]
        with _bulk_load_settings(session.connection(), invoices):
            _add_bulk_invoices(session, world, invoices - len(curated))
            for spec in curated:
                _add_curated_invoice(session, world, spec)
            for company_id, value in world.next_number.items():
                session.execute(
                    update(Company)
                    .where(Company.id == company_id)
                    .values(next_invoice_number=value)
                )
            session.flush()
            if portal.engine.dialect.name == "postgresql":
                # What autovacuum would do shortly; named tables, as a bare ANALYZE goes through
                # every schema of the database. Not on SQLite: the portal never runs ANALYZE
                # there, so its planner should see the demo data as it sees real data.
                session.execute(text(f"ANALYZE {', '.join(_ANALYSED)}"))
        started = time_.perf_counter()
    log.info("committed in %.1f s", time_.perf_counter() - started)
    _truncate_wal(portal)
    return list(DEMO_LOGINS)


def _truncate_wal(portal: Portal) -> None:
    """Give back the disk space of the write-ahead log, which held the whole load."""
    if portal.engine.dialect.name != "sqlite":
        return
    # Outside any transaction, which SQLAlchemy would open on its own connection.
    raw = portal.engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


def _add_companies(session: Session, world: _World) -> None:
    specs = list(_DEMO_COMPANIES)
    taken = {s.name for s in specs} | {s.org_id for s in specs} | {_EMAIL_CUSTOMER["org_id"]}
    specs += [
        _generated_company(world.rng, "SE" if n % 2 else "NL", taken)
        for n in range(EXTRA_COMPANIES)
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


def _add_users(session: Session, world: _World, portal: Portal) -> None:
    for login in DEMO_LOGINS:
        user = User(
            company_id=world.companies[login.company_name].id,
            email=login.email,
            name=_USER_NAMES[login.email],
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
            company.contact_name = _USER_NAMES[login.email]
    session.flush()


def _add_links(session: Session, world: _World) -> None:
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
                **_EMAIL_CUSTOMER,
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
            _Link(
                customer,
                spec,
                world.companies[sender].id,
                target,
                world.companies[recipient].id if recipient else None,
                rng.choice(_BUYER_REFERENCES),
                weight,
            )
        )

    for sender, recipient, state, share in _DEMO_LINKS:
        add(sender, recipient, state, share)
    add(ACME, None, CustomerLinkState.APPROVED, _EMAIL_CUSTOMER_SHARE)

    demo = [s.name for s in _DEMO_COMPANIES if s.name != SUPPORT]
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
        rest = (_SENT_SHARE[name] - demo_sent[name]) / len(customers)
        for link in world.links[-len(customers) :]:
            link.weight = rest
    for name in demo:
        senders = rng.sample(extra, 40)
        rest = (_RECEIVED_SHARE[name] - demo_received[name]) / len(senders)
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


def _add_templates(session: Session, world: _World) -> None:
    """Rows as ``services.templates`` stores them (its fields keys, decimals as strings)."""

    def payment(name: str) -> list[dict[str, str]]:
        spec = world.specs[name]
        code = "30" if spec.country == "SE" else "58"
        return [{"code": code, "iban": spec.iban, "bic": spec.bic, "account_name": spec.name}]

    def contact(email: str) -> dict[str, str]:
        company = world.specs[next(x.company_name for x in DEMO_LOGINS if x.email == email)]
        return {"name": _USER_NAMES[email], "phone": company.phone, "email": email}

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


# --- Parties and invoices ------------------------------------------------------------------------


def _party(spec: _CompanySpec, *, seller: bool = False) -> Party:
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


def _buyer(link: _Link) -> Party:
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


def _invoice(
    link: _Link,
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
    terms, due_days = _TERMS[country]
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


def _variant_line(variant: _Variant, quantity: str, reverse_charge: bool) -> InvoiceLine:
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


# --- Bulk invoices -------------------------------------------------------------------------------


class _BulkWriter:
    """``executemany`` of rows given as dicts with a key per column of ``table``.

    Values go through their column type's bind processor, as SQLAlchemy would pass them on.
    Parts that many rows share are processed once, with ``prepare``; ``write`` processes only the
    ``varying`` columns, memoised, as their values repeat as well (dates, states). Processing
    every value of every row would cost more than the database's own work.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        *,
        skip: Iterable[str] = (),
        varying: Iterable[str] | None = None,
    ) -> None:
        dialect = connection.dialect
        self.connection = connection
        columns = [column for column in table.columns if column.key not in skip]
        compiled = insert(table).compile(dialect=dialect, column_keys=[c.key for c in columns])
        self.sql = str(compiled)
        # Positional drivers (sqlite3) take tuples in the statement's order, named ones the dicts.
        self.values = operator.itemgetter(*compiled.positiontup) if compiled.positional else None
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for column in columns:
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[column.key] = processor
        keys = set(self.processors if varying is None else varying)
        self.varying = [(k, p, {}) for k, p in self.processors.items() if k in keys]
        self.copy_sql = ""
        if dialect.name == "postgresql":
            # COPY takes a million rows several times faster than INSERT over executemany.
            quote = dialect.identifier_preparer.quote
            names = ", ".join(quote(c.name) for c in columns)
            self.copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
            self.keys = [c.key for c in columns]

    def prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` processed, to go into many rows unchanged."""
        return {
            key: self.processors[key](value) if key in self.processors and value is not None
            else value
            for key, value in values.items()
        }  # fmt: skip

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows``; their varying values are replaced by processed ones on the way."""
        if not rows:
            return
        for row in rows:
            for key, processor, memo in self.varying:
                value = row[key]
                if value is not None:
                    try:
                        row[key] = memo[value]
                    except KeyError:
                        row[key] = memo[value] = processor(value)
        if self.copy_sql:
            self._copy(rows)
            return
        params = list(map(self.values, rows)) if self.values else list(rows)
        self.connection.exec_driver_sql(self.sql, params)

    def _copy(self, rows: Sequence[dict[str, Any]]) -> None:
        # psycopg's own connection, inside the transaction SQLAlchemy has open on it.
        driver = self.connection.connection.driver_connection
        assert driver is not None
        keys = self.keys
        with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
            for row in rows:
                copy.write_row([row[k] for k in keys])


def _secondary_indexes(connection: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
            ),
            {"t": table},
        )
    else:
        rows = connection.execute(
            text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_class t ON t.oid = x.indrelid"
                " JOIN pg_namespace n ON n.oid = t.relnamespace"
                " WHERE t.relname = :t AND n.nspname = current_schema()"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            ),
            {"t": table},
        )
    return [(name, sql) for name, sql in rows]


class _BulkBuilder:
    """The parts of bulk rows that repeat, each computed once: per customer link the columns
    and the JSON header every invoice over it shares, per variant and quantity the amounts and
    the line."""

    def __init__(
        self, world: _World, first_id: int, invoices: _BulkWriter, lines: _BulkWriter
    ) -> None:
        self.world = world
        self.next_id = first_id
        self.invoice_writer = invoices
        self.line_writer = lines
        self.links: dict[int, dict[str, Any]] = {}
        self.variants: dict[tuple[str, int, int, bool], tuple[dict[str, Any], dict[str, Any]]] = {}
        self.last_invoice: dict[int, int] = {}  # link -> id of its latest bulk invoice
        self.users: dict[str, tuple[int | None, tuple[int | None, ...]]] = {
            name: (world.user_id(writer), tuple(world.user_id(a) for a in approvers))
            for name, (writer, approvers) in _WRITERS.items()
        }

    def link_columns(self, link_index: int) -> dict[str, Any]:
        if link_index not in self.links:
            link = self.world.links[link_index]
            reverse = link.cross_border
            variant = _VARIANTS[link.sender.country][0]
            # Lines, category and amounts are columns and line rows: the header is the same
            # for every variant.
            invoice = _invoice(
                link,
                [_variant_line(variant, variant.quantities[0], reverse)],
                category=variant.category,
                exemptions={VatCategory.REVERSE_CHARGE: _REVERSE_CHARGE} if reverse else None,
            )
            self.links[link_index] = self.invoice_writer.prepare({
                "sender_company_id": link.sender_id,
                "customer_id": link.customer.id,
                "recipient_company_id": link.recipient_id,
                "channel": link.customer.channel,
                "currency": invoice.currency,
                "sender_name": link.sender.name,
                "sender_name_key": search_key(link.sender.name),
                "recipient_name": link.customer.name,
                "recipient_name_key": search_key(link.customer.name),
                "buyer_reference": link.buyer_reference,
                "order_reference": "",
                "header": header_to_json(invoice),
                "original_document": None,
            })  # fmt: skip
        return self.links[link_index]

    def variant_columns(
        self, country: str, variant_index: int, q: int, reverse: bool
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The invoice columns and the line row (but invoice_id) of one variant."""
        key = (country, variant_index, q, reverse)
        if key not in self.variants:
            variant = _VARIANTS[country][variant_index]
            line = _variant_line(variant, variant.quantities[q], reverse)
            totals = compute_totals(
                Invoice(
                    DocumentKind.INVOICE, "", self.world.now.date(), "EUR", Party(), Party(), [line]
                )
            )
            columns = {
                "category": variant.category,
                "category_key": search_key(variant.category),
                "tax_exclusive_amount": totals.tax_exclusive,
                "tax_amount": totals.tax_total,
                "payable_amount": totals.payable,
            }
            line_row = {
                "position": 0,
                "line_id": line.id,
                "name": line.name,
                "description": line.description,
                "note": line.note,
                "quantity": line.quantity,
                "unit_code": line.unit_code,
                "net_price": line.net_price,
                "base_quantity": line.base_quantity,
                "vat_category": line.vat_category,
                "vat_rate": line.vat_rate,
                "net_amount": totals.line_net_amounts[0],
                "seller_item_id": "",
                "buyer_item_id": "",
                "standard_item_id": "",
                "standard_item_scheme": "",
                "period_start": None,
                "period_end": None,
            }
            self.variants[key] = (
                self.invoice_writer.prepare(columns),
                self.line_writer.prepare(line_row),
            )
        return self.variants[key]


def _bulk_state(rng: random.Random, age_days: int) -> InvoiceState:
    """Old invoices were delivered long ago; the last weeks still hold work in progress."""
    if age_days > RECENT_DAYS + 10:
        return InvoiceState.DELIVERED
    return rng.choices(
        (
            InvoiceState.DELIVERED,
            InvoiceState.DRAFT,
            InvoiceState.READY_FOR_APPROVAL,
            InvoiceState.APPROVED,
            InvoiceState.FAILED,
        ),
        (70, 8, 10, 6, 6),
    )[0]


@functools.cache
def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _add_bulk_invoices(session: Session, world: _World, count: int) -> None:
    if count <= 0:
        return
    connection = session.connection()
    rng = world.rng
    today = world.now.date()
    start = today - timedelta(days=SPAN_DAYS + RECENT_DAYS)
    first_id = (session.scalar(select(func.max(InvoiceRow.id))) or 0) + 1
    links = world.links
    weighted = [i for i, link in enumerate(links) if link.weight > 0]
    cumulative = []
    running = 0.0
    for i in weighted:
        running += links[i].weight
        cumulative.append(running)
    choices = rng.choices(weighted, cum_weights=cumulative, k=count)
    dates = [start + timedelta(days=d) for d in range(SPAN_DAYS)]
    # Sorted, so that ids and each sender's numbers go up with the issue date.
    issued = sorted(rng.choices(dates, k=count))

    invoices_table = _table(InvoiceRow)
    indexes = _secondary_indexes(connection, invoices_table.name)
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {_quote(connection, name)}")
    invoice_writer = _BulkWriter(connection, invoices_table, varying=_VARYING)
    line_writer = _BulkWriter(connection, _table(InvoiceLineRow), skip={"id"}, varying=())
    event_writer = _BulkWriter(connection, _table(DeliveryEvent), skip={"id"})
    builder = _BulkBuilder(world, first_id, invoice_writer, line_writer)
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    started = time_.perf_counter()
    for n in range(count):
        _bulk_row(builder, rng, choices[n], issued[n], today, rows, lines, events)
        if len(rows) >= BATCH:
            invoice_writer.write(rows)
            line_writer.write(lines)
            rows.clear()
            lines.clear()
    invoice_writer.write(rows)
    line_writer.write(lines)
    event_writer.write(events)
    log.info("%d bulk invoices written in %.1f s", count, time_.perf_counter() - started)
    started = time_.perf_counter()
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
    log.info("%d indexes built in %.1f s", len(indexes), time_.perf_counter() - started)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('invoices', 'id'), :v)"),
            {"v": builder.next_id - 1},
        )


_ANALYSED = ("companies", "users", "customers", "invoices", "invoice_lines", "delivery_events")

# The invoice columns that differ between bulk invoices over the same link and variant and
# have a bind processor; everything else comes prepared from _BulkBuilder.
_VARYING = (
    "kind",
    "state",
    "issue_date",
    "due_date",
    "read_at",
    "submitted_at",
    "approved_at",
    "delivered_at",
    "created_at",
    "updated_at",
)


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


@contextmanager
def _bulk_load_settings(connection: Connection, count: int) -> Iterator[None]:
    """Session settings for the load only, restored afterwards; durability is left alone."""
    if connection.dialect.name != "sqlite":
        # SET LOCAL ends with the transaction: more memory to build the indexes with.
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        yield
        return
    # A page cache that holds what the load writes (about 2.5 KiB per invoice) until the commit:
    # the indexes are built by reading the whole new table, which is slow from the write-ahead
    # log. The connection goes back to the pool afterwards, so the old size is put back.
    cache_kib = min(4 << 20, max(1 << 16, count * 3))
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = {-cache_kib}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


_FAILURES = (
    "Delivery to the recipient's business system timed out after 3 attempts.",
    "SMTP 452 4.2.2 mailbox full",
    "The recipient's inbox refused the invoice: the buyer reference is unknown.",
)


def _bulk_row(
    builder: _BulkBuilder,
    rng: random.Random,
    link_index: int,
    issued: date,
    today: date,
    rows: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    world = builder.world
    link = world.links[link_index]
    country = link.sender.country
    # int(random() * n) rather than randrange(n): a third of the cost, at a million rows.
    variant_index = int(rng.random() * len(_VARIANTS[country]))
    quantity_index = int(rng.random() * len(_VARIANTS[country][variant_index].quantities))
    columns, line = builder.variant_columns(
        country, variant_index, quantity_index, link.cross_border
    )
    state = _bulk_state(rng, (today - issued).days)
    credited = None
    if state is not InvoiceState.DRAFT and rng.random() < CREDIT_NOTE_SHARE:
        credited = builder.last_invoice.get(link_index)
    kind = DocumentKind.INVOICE if credited is None else DocumentKind.CREDIT_NOTE
    number = None if state is InvoiceState.DRAFT else world.number(link)
    writer, approvers = builder.users.get(link.sender.name, (None, (None,)))
    submitted = state is not InvoiceState.DRAFT
    approved = state in (InvoiceState.APPROVED, InvoiceState.DELIVERED, InvoiceState.FAILED)
    delivered = state is InvoiceState.DELIVERED
    in_inbox = delivered and link.recipient_id is not None
    read_at = None
    if in_inbox and rng.random() >= UNREAD_SHARE:
        read_at = min(_at(issued + timedelta(days=int(rng.random() * 4)), 14, 20), world.now)
    invoice_id = builder.next_id
    builder.next_id += 1
    if kind is DocumentKind.INVOICE and submitted:
        builder.last_invoice[link_index] = invoice_id
    last_error = rng.choice(_FAILURES) if state is InvoiceState.FAILED else ""
    row = {
        **builder.link_columns(link_index),
        **columns,
        "id": invoice_id,
        "kind": kind,
        "state": state,
        "inbox_company_id": link.recipient_id if in_inbox else None,
        "number": number,
        "number_key": search_key(number) if number else None,
        "issue_date": issued,
        "due_date": issued + timedelta(days=_TERMS[country][1])
        if kind is DocumentKind.INVOICE
        else None,
        "credited_invoice_id": credited,
        "read_at": read_at,
        "created_by_user_id": writer,
        "approved_by_user_id": approvers[int(rng.random() * len(approvers))] if approved else None,
        "submitted_at": _at(issued, 8, 30) if submitted else None,
        "approved_at": _at(issued, 9, 45) if approved else None,
        "delivered_at": _at(issued, 10, 0) if delivered else None,
        "last_error": last_error,
        "created_at": _at(issued, 8, 15),
        "updated_at": read_at or _at(issued, 10, 0),
    }
    rows.append(row)
    lines.append({**line, "invoice_id": invoice_id})
    if state is InvoiceState.FAILED:
        for at, step, detail in (
            (_at(issued, 10, 0), InvoiceState.SENDING, ""),
            (_at(issued, 10, 1), InvoiceState.FAILED, last_error),
        ):
            events.append(
                {
                    "invoice_id": invoice_id,
                    "at": at,
                    "channel": row["channel"],
                    "state": step,
                    "detail": detail,
                }
            )


# --- Hand-written invoices -----------------------------------------------------------------------


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
    credits: int | None = None  # index in _CURATED of the invoice this credit note credits
    exemption: VatExemption | None = None
    last_error: str = ""


_SEND_FAILED = (
    "SMTP 550 5.1.1 <faktura@cafelindqvist.example>: Recipient address rejected: "
    "mailbox unavailable"
)

# In this order so that the first few already show the main sender and recipient and each state.
_CURATED: tuple[_Curated, ...] = (
    _Curated(ACME, DE_VRIES, InvoiceState.DELIVERED, 9, "Konsulttjänster", (
        _Line("Implementation workshop", "2", "DAY", "1250.00", "0", VatCategory.REVERSE_CHARGE,
              "On site in Utrecht, 3 and 4 March"),
        _Line("Travel expenses", "1", "C62", "340.00", "0", VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=_REVERSE_CHARGE),
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
    ), currency="EUR", exemption=_REVERSE_CHARGE),
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
    ), exemption=_REVERSE_CHARGE),
    _Curated(NORDISK, GEMEENTE, InvoiceState.DRAFT, 1, "Konsulttjänster", (
        _Line("Konsulttimmar", "8", "HUR", "980.00", "0", VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=_REVERSE_CHARGE),
    _Curated(ACME, GEMEENTE, InvoiceState.DRAFT, 0, "Konsulttjänster", (
        _Line("Workshop digital fakturering", "1", "DAY", "1250.00", "0",
              VatCategory.REVERSE_CHARGE),
    ), currency="EUR", exemption=_REVERSE_CHARGE),
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


def _add_curated_invoice(session: Session, world: _World, spec: _Curated) -> None:
    link = world.link(spec.sender, spec.recipient)
    issued = world.now.date() - timedelta(days=spec.days_ago)
    writer, approvers = _WRITERS[spec.sender]
    kind = DocumentKind.CREDIT_NOTE if spec.credits is not None else DocumentKind.INVOICE
    credited = world.curated_rows[spec.credits] if spec.credits is not None else None
    draft = spec.state is InvoiceState.DRAFT
    invoice = _invoice(
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
    invoice.seller.contact.name = _USER_NAMES[writer]
    row = InvoiceRow(
        state=spec.state,
        sender_company_id=link.sender_id,
        customer_id=link.customer.id,
        recipient_company_id=link.recipient_id,
        channel=link.customer.channel,
        credited_invoice_id=credited.id if credited is not None else None,
        created_by_user_id=world.user_id(writer),
        created_at=_at(issued, 8, 5),
        last_error=spec.last_error,
    )
    apply_invoice(row, invoice)
    if not draft:
        row.submitted_at = _at(issued, 8, 40)
    if spec.state in (InvoiceState.APPROVED, InvoiceState.SENDING, *_SENT):
        row.approved_by_user_id = world.user_id(approvers[-1])
        row.approved_at = _at(issued, 11, 10)
    steps: list[tuple[datetime, InvoiceState, str]] = []
    if spec.state in (InvoiceState.SENDING, *_SENT):
        steps.append((_at(issued, 11, 11), InvoiceState.SENDING, ""))
    if spec.state is InvoiceState.FAILED:
        steps.append((_at(issued, 11, 12), InvoiceState.FAILED, spec.last_error))
        steps.append((_at(issued, 12, 12), InvoiceState.SENDING, "Retry 1 of 3"))
        steps.append((_at(issued, 12, 13), InvoiceState.FAILED, spec.last_error))
    if spec.state is InvoiceState.DELIVERED:
        row.delivered_at = _at(issued, 11, 12)
        portal = link.recipient_id is not None
        steps.append((row.delivered_at, InvoiceState.DELIVERED, _delivered_detail(link)))
        if portal:
            row.inbox_company_id = link.recipient_id
            if spec.read:
                row.read_at = min(_at(issued + timedelta(days=1), 9, 30), world.now)
    row.updated_at = max([row.created_at, *(at for at, _state, _detail in steps)])
    row.deliveries = [
        DeliveryEvent(at=at, channel=link.customer.channel, state=state, detail=detail)
        for at, state, detail in steps
    ]
    session.add(row)
    session.flush()
    world.curated_rows.append(row)


_SENT = (InvoiceState.DELIVERED, InvoiceState.FAILED)


def _delivered_detail(link: _Link) -> str:
    if link.recipient is None:
        return f"Sent by e-mail to {link.customer.email}"
    return f"Delivered to the portal inbox of {link.recipient.name}"
