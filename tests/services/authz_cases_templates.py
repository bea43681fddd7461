"""Authorization cases for invoice templates."""

from __future__ import annotations

from backend.services import templates
from backend.services.context import Portal
from tests.services.invoice_factory import sample_invoice

from .authz import AuthzCase, args
from .conftest import World


def _acme_template(portal: Portal, world: World) -> int:
    return templates.create_template(
        portal, world.acme_member.actor, "Monthly", {"currency": "SEK"}
    ).id


CASES = {
    # Creating and listing act on the caller's own company only.
    "backend.services.templates.create_template": AuthzCase(
        lambda p, w: args("Monthly", {"notes": "Thank you"}), self_scoped=True
    ),
    "backend.services.templates.list_templates": AuthzCase(self_scoped=True),
    "backend.services.templates.get_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w)), owner="acme_member"
    ),
    "backend.services.templates.update_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w), {"currency": "EUR"}), owner="acme_member"
    ),
    "backend.services.templates.rename_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w), "Quarterly"), owner="acme_member"
    ),
    "backend.services.templates.delete_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w)), owner="acme_member"
    ),
    "backend.services.templates.start_from_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w)), owner="acme_member"
    ),
    "backend.services.templates.save_template": AuthzCase(
        lambda p, w: args(_acme_template(p, w), "Quarterly", sample_invoice()),
        owner="acme_member",
    ),
}
