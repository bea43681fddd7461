"""Authorization cases for accounts, companies and the directory."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.db.models import Role
from backend.db.models.accounts import MembershipLevel
from backend.services import accounts, companies
from backend.services.accounts import Registration
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import PASSWORD, World

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test"


def _acme_key(portal: Portal, world: World) -> tuple:
    key = accounts.add_public_key(portal, world.acme_member.actor, ED25519)
    return args(key.id)


def _acme_member_id(portal: Portal, world: World) -> tuple:
    return args(world.acme_member.user_id, role=Role.MEMBER, may_approve=True)


def _acme_invited_id(portal: Portal, world: World) -> tuple:
    companies.add_user(portal, world.acme_admin.actor, world.acme_admin.company_id, "new@acme.se")
    [invited] = [
        u.id
        for u in companies.list_users(portal, world.acme_admin.actor, world.acme_admin.company_id)
        if u.email == "new@acme.se"
    ]
    return args(invited)


CASES = {
    "backend.services.accounts.authenticate_password": AuthzCase(
        lambda p, w: args("anna@acme.se", PASSWORD), public=True
    ),
    "backend.services.accounts.authenticate_key": AuthzCase(
        lambda p, w: args("anna@acme.se", ED25519), public=True
    ),
    "backend.services.accounts.is_login_key": AuthzCase(
        lambda p, w: args("anna@acme.se", ED25519), public=True
    ),
    "backend.services.accounts.record_lockout": AuthzCase(
        lambda p, w: args("anna@acme.se", "account", datetime(2026, 1, 1, tzinfo=UTC)),
        public=True,
    ),
    "backend.services.accounts.request_password_reset": AuthzCase(
        lambda p, w: args("anna@acme.se"), public=True
    ),
    "backend.services.accounts.register_membership": AuthzCase(
        lambda p, w: args(
            Registration(
                "new@volvo.se",
                "New",
                "abc12345",
                "abc12345",
                "SE",
                "2021005489",
                company_name="Volvo",
                accepted_terms=True,
            )
        ),
        public=True,
    ),
    "backend.services.directory.lookup_organisation": AuthzCase(
        lambda p, w: args("SE", "5560360793"), public=True
    ),
    "backend.services.accounts.change_password": AuthzCase(
        lambda p, w: args("newpass123", "newpass123", PASSWORD), self_scoped=True
    ),
    "backend.services.accounts.get_profile": AuthzCase(self_scoped=True),
    "backend.services.accounts.update_profile": AuthzCase(
        lambda p, w: args(language="sv"), self_scoped=True
    ),
    "backend.services.accounts.list_public_keys": AuthzCase(self_scoped=True),
    "backend.services.accounts.add_public_key": AuthzCase(
        lambda p, w: args(ED25519, email="bo@acme.se")
    ),
    "backend.services.accounts.remove_public_key": AuthzCase(_acme_key, owner="acme_member"),
    "backend.services.directory.search_directory": AuthzCase(
        lambda p, w: args("Acme"), self_scoped=True
    ),
    "backend.services.directory.import_registry": AuthzCase(
        lambda p, w: args([{"country": "SE", "org_id": "2021005489", "name": "Volvo"}]),
        owner="system",
    ),
    "backend.services.companies.get_company": AuthzCase(lambda p, w: args(w.acme_admin.company_id)),
    "backend.services.companies.find_company_id": AuthzCase(
        lambda p, w: args("5560360793"), owner="system"
    ),
    "backend.services.companies.update_company": AuthzCase(
        lambda p, w: args(w.acme_admin.company_id, phone="+46 8 123 456")
    ),
    "backend.services.companies.set_membership_level": AuthzCase(
        lambda p, w: args(w.acme_admin.company_id, MembershipLevel.PREMIUM), owner="system"
    ),
    "backend.services.companies.add_registration_code": AuthzCase(
        lambda p, w: args("PARTNER-2026", MembershipLevel.PLUS), owner="system"
    ),
    "backend.services.companies.add_user": AuthzCase(
        lambda p, w: args(w.acme_admin.company_id, "cecilia@acme.se")
    ),
    "backend.services.companies.list_users": AuthzCase(lambda p, w: args(w.acme_admin.company_id)),
    "backend.services.companies.set_user_permissions": AuthzCase(_acme_member_id),
    "backend.services.companies.reinvite_user": AuthzCase(_acme_invited_id),
    "backend.services.companies.set_user_active": AuthzCase(
        lambda p, w: args(w.acme_member.user_id, False)
    ),
}
