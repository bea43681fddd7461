"""Authorization cases for invoices."""

from __future__ import annotations

from backend.db.invoice_list import InvoiceQuery, Side
from backend.services import invoices
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice


def _draft(portal: Portal, world: World) -> int:
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    return invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )


def _with_draft(portal: Portal, world: World) -> tuple:
    _draft(portal, world)
    return args()


def _submitted(portal: Portal, world: World) -> int:
    invoice_id = _draft(portal, world)
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    return invoice_id


def _delivered_to_acme(portal: Portal, world: World) -> tuple:
    """An invoice in Acme's inbox (from Bakker): Bakker's users must not mark it read."""
    from sqlalchemy import update

    from backend.db.models import InvoiceRow
    from backend.domain.states import InvoiceState

    invoice_id = _submitted(portal, world)
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .values(state=InvoiceState.DELIVERED, inbox_company_id=world.acme_admin.company_id)
        )
    return args([invoice_id])


CASES = {
    "backend.services.invoices.create_invoice": AuthzCase(
        lambda p, w: args(
            sample_invoice(),
            customer_id=add_customer_link(p, w.acme_admin.company_id, w.bakker_admin.company_id),
        )
    ),
    "backend.services.invoices.update_draft": AuthzCase(
        lambda p, w: args(_draft(p, w), sample_invoice())
    ),
    "backend.services.invoices.delete_draft": AuthzCase(lambda p, w: args(_draft(p, w))),
    "backend.services.invoices.create_credit_note": AuthzCase(lambda p, w: args(_submitted(p, w))),
    "backend.services.invoices.get_invoice": AuthzCase(lambda p, w: args(_draft(p, w))),
    "backend.services.invoices.submit_invoice": AuthzCase(lambda p, w: args(_draft(p, w))),
    "backend.services.invoices.return_to_draft": AuthzCase(lambda p, w: args(_submitted(p, w))),
    "backend.services.invoices.approve_invoices": AuthzCase(lambda p, w: args([_submitted(p, w)])),
    # Lists are always of the caller's own company: nothing of another company to refuse here;
    # test_invoices proves another company's list does not contain Acme's invoices.
    "backend.services.invoices.list_invoices": AuthzCase(
        lambda p, w: args(InvoiceQuery(side=Side.SENT)), self_scoped=True
    ),
    "backend.services.invoices.mark_read": AuthzCase(_delivered_to_acme),
    # A new invoice is made from the caller's own company only.
    "backend.services.invoices.new_invoice": AuthzCase(self_scoped=True),
    "backend.services.invoices.customer_party": AuthzCase(
        lambda p, w: args(add_customer_link(p, w.acme_admin.company_id, w.bakker_admin.company_id))
    ),
    "backend.services.invoices.copy_invoice": AuthzCase(lambda p, w: args(_submitted(p, w))),
    # The caller's own drafts only; test_invoices proves another user's draft is not offered.
    "backend.services.invoices.latest_draft": AuthzCase(_with_draft, self_scoped=True),
}
