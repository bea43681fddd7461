"""Authorization cases for downloads (exports)."""

from __future__ import annotations

from backend.services import invoices
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice


def _acme_invoice(portal: Portal, world: World) -> tuple:
    """An invoice Acme sent (not delivered): Bakker's users may not download it."""
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    return args([invoice_id], {"pdf", "xml", "csv"})


CASES = {
    "backend.services.exports.export_invoices": AuthzCase(_acme_invoice),
}
