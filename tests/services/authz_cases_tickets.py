"""Authorization cases for support cases (tickets)."""

from __future__ import annotations

from datetime import date

from backend.db.models import InvoiceRow, Role
from backend.domain.invoice import DocumentKind
from backend.domain.states import InvoiceState, TicketState
from backend.services import tickets
from backend.services.context import Portal

from .authz import Args, AuthzCase, args
from .conftest import World, add_company, add_user

PNG = ("screen.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)


def add_invoice(
    portal: Portal, sender_company_id: int, inbox_company_id: int | None, number: str
) -> int:
    """A delivered invoice row from one company to another (no lines: tickets only point at it)."""
    with portal.sessions.begin() as session:
        row = InvoiceRow(
            kind=DocumentKind.INVOICE,
            state=InvoiceState.DELIVERED,
            sender_company_id=sender_company_id,
            recipient_company_id=inbox_company_id,
            inbox_company_id=inbox_company_id,
            number=number,
            issue_date=date(2026, 1, 15),
            currency="EUR",
        )
        session.add(row)
        session.flush()
        return row.id


def add_support(portal: Portal, world: World) -> None:
    """Support staff of the portal's own company, as ``world.support`` (the owner of the
    staff-only use cases below): World has no support user of its own."""
    company = add_company(portal, country="SE", org_id="5569999999", name="Portal Support")
    world.support = add_user(portal, company, "sara@support.example", role=Role.SUPPORT)  # type: ignore[attr-defined]


def acme_ticket(portal: Portal, world: World, **kw: object) -> int:
    view = tickets.open_ticket(
        portal, world.acme_member.actor, "question", "Where is my invoice?", "Hello", **kw
    )
    return view.id


def _open_on_acme_invoice(portal: Portal, world: World) -> Args:
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    return args("invoice", "Wrong amount", "Line 2 is wrong", invoice_id=invoice_id)


def _acme_case_on_invoice(portal: Portal, world: World) -> int:
    add_support(portal, world)
    invoice_id = add_invoice(portal, world.acme_admin.company_id, None, "A-1")
    return acme_ticket(portal, world, invoice_id=invoice_id)


def _closed_ticket(portal: Portal, world: World) -> Args:
    ticket_id = acme_ticket(portal, world)
    tickets.close_ticket(portal, world.acme_member.actor, ticket_id)
    return args(ticket_id)


def _attachment(portal: Portal, world: World) -> Args:
    ticket_id = acme_ticket(portal, world, attachments=[PNG])
    detail = tickets.get_ticket(portal, world.acme_member.actor, ticket_id)
    return args(detail.messages[0].attachments[0].id)


CASES = {
    # Any user may open a case for their own company; another company's invoice is refused.
    "backend.services.tickets.open_ticket": AuthzCase(_open_on_acme_invoice, owner="acme_member"),
    "backend.services.tickets.reply_ticket": AuthzCase(
        lambda p, w: args(acme_ticket(p, w), "More details"), owner="acme_member"
    ),
    # Support staff only: company users (Acme's own too) and other companies are refused.
    "backend.services.tickets.answer_ticket": AuthzCase(
        lambda p, w: args(_acme_case_on_invoice(p, w), "Fixed now"), owner="support"
    ),
    "backend.services.tickets.set_ticket_state": AuthzCase(
        lambda p, w: args(_acme_case_on_invoice(p, w), TicketState.CLOSED), owner="support"
    ),
    "backend.services.tickets.get_ticket_invoice": AuthzCase(
        lambda p, w: args(_acme_case_on_invoice(p, w)), owner="support"
    ),
    "backend.services.tickets.close_ticket": AuthzCase(
        lambda p, w: args(acme_ticket(p, w)), owner="acme_member"
    ),
    "backend.services.tickets.reopen_ticket": AuthzCase(_closed_ticket, owner="acme_member"),
    "backend.services.tickets.get_ticket": AuthzCase(
        lambda p, w: args(acme_ticket(p, w)), owner="acme_member"
    ),
    "backend.services.tickets.get_ticket_attachment": AuthzCase(_attachment, owner="acme_member"),
    "backend.services.tickets.list_tickets": AuthzCase(
        lambda p, w: args(company_id=w.acme_member.company_id), owner="acme_member"
    ),
}
