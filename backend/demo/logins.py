"""The demo logins with their password and names, and who writes and approves each demo
company's invoices."""

from __future__ import annotations

from dataclasses import dataclass

from ..db.models import Role
from .companies import ACME, DE_VRIES, GEMEENTE, NORDISK, SUPPORT, VAN_DIJK

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

USER_NAMES = {
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

# Who writes and who approves a demo company's invoices (four eyes at Acme).
WRITERS = {
    ACME: ("bo@acme.example", ("anna@acme.example", "karin@acme.example")),
    NORDISK: ("erik@nordiskbygg.example", ("erik@nordiskbygg.example",)),
    DE_VRIES: ("sanne@devries.example", ("pieter@devries.example",)),
    VAN_DIJK: ("jan@vandijk.example", ("jan@vandijk.example",)),
    GEMEENTE: ("noor@voorbeeld.example", ("emma@voorbeeld.example",)),
}
