"""Authorization cases for sending: the manual retry and the delivery progress."""

from __future__ import annotations

from sqlalchemy import update

from backend.db.models import InvoiceRow
from backend.domain.states import InvoiceState
from backend.services import invoices
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice


def acme_invoice_in_state(portal: Portal, world: World, state: InvoiceState) -> int:
    """A submitted invoice from Acme to Bakker, then forced into ``state``."""
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .values(state=state, last_error="550 no such user", attempts=1)
        )
    return invoice_id


CASES = {
    "backend.services.sending.retry_delivery": AuthzCase(
        lambda p, w: args(acme_invoice_in_state(p, w, InvoiceState.FAILED))
    ),
    "backend.services.sending.delivery_statuses": AuthzCase(
        lambda p, w: args([acme_invoice_in_state(p, w, InvoiceState.SENDING)])
    ),
}
