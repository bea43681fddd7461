"""Reading the audit trail: who may, what they see, paging."""

from __future__ import annotations

import pytest

from backend.db.models import AuditEvent, Role
from backend.services import accounts, audit, tickets
from backend.services.audit import MAX_PAGE
from backend.services.context import SYSTEM, Portal
from backend.services.errors import NotFound, PermissionDenied

from .conftest import World, add_company, add_user


def _rename(portal: Portal, world: World, *names: str) -> None:
    for name in names:
        accounts.update_profile(portal, world.acme_member.actor, name=name)


def test_admin_sees_events_of_a_real_use_case(portal: Portal, world: World) -> None:
    accounts.update_profile(portal, world.acme_member.actor, language="sv")
    [event] = audit.list_audit_events(portal, world.acme_admin.actor, world.acme_admin.company_id)
    assert event.action == "profile_changed"
    assert event.subject == f"user:{world.acme_member.user_id}"
    assert event.company_id == world.acme_admin.company_id
    assert event.actor_user_id == world.acme_member.user_id
    assert event.actor_name == "Bo"
    assert event.source == "test"
    assert dict(event.detail) == {"language": "sv"}


def test_portal_admins_see_any_company(portal: Portal, world: World) -> None:
    accounts.update_profile(portal, world.acme_member.actor, language="nl")
    events = audit.list_audit_events(portal, SYSTEM, world.acme_admin.company_id)
    assert [e.action for e in events] == ["profile_changed"]


def test_other_admins_get_not_found_and_members_permission_denied(
    portal: Portal, world: World
) -> None:
    accounts.update_profile(portal, world.acme_member.actor, language="sv")
    acme = world.acme_admin.company_id
    for outsider in (world.bakker_admin, world.bakker_member):
        with pytest.raises(NotFound):
            audit.list_audit_events(portal, outsider.actor, acme)
    with pytest.raises(PermissionDenied):
        audit.list_audit_events(portal, world.acme_member.actor, acme)


def test_only_the_companys_own_events(portal: Portal, world: World) -> None:
    accounts.update_profile(portal, world.acme_member.actor, language="sv")
    accounts.update_profile(portal, world.bakker_member.actor, language="nl")
    acme = audit.list_audit_events(portal, world.acme_admin.actor, world.acme_admin.company_id)
    bakker = audit.list_audit_events(
        portal, world.bakker_admin.actor, world.bakker_admin.company_id
    )
    assert [e.actor_user_id for e in acme] == [world.acme_member.user_id]
    assert [e.actor_user_id for e in bakker] == [world.bakker_member.user_id]


def test_newest_first_with_keyset_paging(portal: Portal, world: World) -> None:
    names = [f"Bo {i}" for i in range(7)]
    _rename(portal, world, *names)
    actor, acme = world.acme_admin.actor, world.acme_admin.company_id

    pages, before = [], None
    while True:
        page = audit.list_audit_events(portal, actor, acme, limit=3, before_id=before)
        if not page:
            break
        pages.append(page)
        before = page[-1].id
    assert [len(p) for p in pages] == [3, 3, 1]
    events = [e for p in pages for e in p]
    assert [e.detail["name"] for e in events] == names[::-1]
    ids = [e.id for e in events]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 7


def test_filter_by_action(portal: Portal, world: World) -> None:
    _rename(portal, world, "Bo A")
    tickets.open_ticket(portal, world.acme_member.actor, "question", "Help", "Please")
    _rename(portal, world, "Bo B")
    actor, acme = world.acme_admin.actor, world.acme_admin.company_id
    renamed = audit.list_audit_events(portal, actor, acme, action="profile_changed")
    assert [e.detail["name"] for e in renamed] == ["Bo B", "Bo A"]
    [opened] = audit.list_audit_events(portal, actor, acme, action="ticket_opened")
    assert opened.detail["case_type"] == "question"
    assert audit.list_audit_events(portal, actor, acme, action="nothing_like_this") == []


def test_limit_is_capped(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    with portal.sessions.begin() as session:
        session.add_all(
            AuditEvent(company_id=acme, action="bulk", subject=str(i)) for i in range(MAX_PAGE + 5)
        )
    actor = world.acme_admin.actor
    assert len(audit.list_audit_events(portal, actor, acme, limit=10_000)) == MAX_PAGE
    assert len(audit.list_audit_events(portal, actor, acme, limit=0)) == 1
    assert len(audit.list_audit_events(portal, actor, acme)) == 100


def test_addresses_of_outside_actors_are_hidden_from_the_company(
    portal: Portal, world: World
) -> None:
    staff_company = add_company(portal, country="SE", org_id="5569999999", name="Portal Support")
    staff = add_user(portal, staff_company, "sara@support.example", role=Role.SUPPORT)
    ticket = tickets.open_ticket(portal, world.acme_member.actor, "question", "Help", "Please")
    tickets.reply_ticket(portal, staff.actor, ticket.id, "Answer")
    acme = world.acme_admin.company_id

    replied, opened = audit.list_audit_events(portal, world.acme_admin.actor, acme)
    assert (replied.action, replied.actor_name, replied.source) == ("ticket_replied", "Sara", "")
    assert (opened.action, opened.actor_name, opened.source) == ("ticket_opened", "Bo", "test")
    [as_portal_admin] = audit.list_audit_events(portal, SYSTEM, acme, action="ticket_replied")
    assert as_portal_admin.source == "test"
