"""Authorization cases for the read side of sending (the queue, sent documents)."""

from __future__ import annotations

from backend.services import invoices
from backend.services.context import Portal
from backend.services.sent import SentQuery

from .authz import AuthzCase, args
from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice


def _submitted(portal: Portal, world: World) -> int:
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    return invoice_id


CASES = {
    # The queue and the sent list are always the caller's own company's: nothing of another
    # company to refuse; test_sent proves Bakker's lists do not hold Acme's invoices.
    "backend.services.sent.queue_page": AuthzCase(self_scoped=True),
    "backend.services.sent.list_sent": AuthzCase(lambda p, w: args(SentQuery()), self_scoped=True),
    "backend.services.sent.delivery_history": AuthzCase(lambda p, w: args(_submitted(p, w))),
}
