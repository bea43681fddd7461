"""Authorization cases for the customer register and the recipient's sender approvals."""

from __future__ import annotations

from backend.services import companies, customers
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import World


def _acme_customer(portal: Portal, world: World) -> int:
    """Bakker in Acme's register."""
    view = customers.add_customer(
        portal, world.acme_member.actor, world.bakker_admin.company_id, "K-100"
    )
    return view.id


def _rejected_by_bakker(portal: Portal, world: World) -> tuple:
    companies.update_company(
        portal,
        world.bakker_admin.actor,
        world.bakker_admin.company_id,
        requires_sender_approval=True,
    )
    customer_id = _acme_customer(portal, world)
    customers.decide_sender_request(portal, world.bakker_admin.actor, customer_id, False)
    return args(customer_id)


def _request_to_acme(portal: Portal, world: World) -> tuple:
    """Bakker asks to send to Acme, which approves its senders: Acme's admin decides."""
    companies.update_company(
        portal, world.acme_admin.actor, world.acme_admin.company_id, requires_sender_approval=True
    )
    view = customers.add_customer(
        portal, world.bakker_member.actor, world.acme_admin.company_id, "B-7"
    )
    return args(view.id, True)


CASES = {
    # Adding and listing act on the caller's own register only: nothing of another company's
    # to refuse, so only the anonymous refusal is checked (the rules are in test_customers).
    "backend.services.customers.add_customer": AuthzCase(
        lambda p, w: args(w.bakker_admin.company_id, "K-1"), self_scoped=True
    ),
    "backend.services.customers.add_external_customer": AuthzCase(
        lambda p, w: args("Café Lund", "kassa@cafe.se", "K-2"), self_scoped=True
    ),
    "backend.services.customers.list_customers": AuthzCase(self_scoped=True),
    "backend.services.customers.list_sender_requests": AuthzCase(self_scoped=True),
    "backend.services.customers.get_customer": AuthzCase(
        lambda p, w: args(_acme_customer(p, w)), owner="acme_member"
    ),
    "backend.services.customers.update_customer": AuthzCase(
        lambda p, w: args(_acme_customer(p, w), customer_number="K-200"), owner="acme_member"
    ),
    "backend.services.customers.remove_customer": AuthzCase(
        lambda p, w: args(_acme_customer(p, w)), owner="acme_member"
    ),
    "backend.services.customers.request_approval_again": AuthzCase(
        _rejected_by_bakker, owner="acme_member"
    ),
    "backend.services.customers.decide_sender_request": AuthzCase(_request_to_acme),
    # The member directory is shared by every logged-in user.
    "backend.services.directory.get_directory_company": AuthzCase(
        lambda p, w: args(w.bakker_admin.company_id), self_scoped=True
    ),
}
