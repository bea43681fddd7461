"""Company details and the users of a company, as the company screen uses them."""

from __future__ import annotations

import pytest

from backend.db.models import Role
from backend.domain.errors import ValidationError
from backend.services import accounts, companies
from backend.services.accounts import LoginOutcome
from backend.services.context import Actor, Portal
from backend.services.errors import Conflict, NotFound, PermissionDenied

from .conftest import World, add_user


def test_details_are_saved_normalised(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    view = companies.update_company(
        portal,
        world.acme_admin.actor,
        acme,
        vat_number="556036079301",
        peppol_id="iso6523-actorid-upis::0007:556036-0793",
        phone=" 08  123 456 78 ",
        contact_name="Anna Andersson",
        four_eyes=True,
    )
    assert (view.vat_number, view.peppol_id, view.phone, view.four_eyes) == (
        "SE556036079301",
        "0007:5560360793",
        "08 123 456 78",
        True,
    )
    assert companies.get_company(portal, world.acme_member.actor, acme) == view


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vat_number": "SE556036079201"}, "vat_number"),  # wrong check digit
        ({"vat_number": "NL004495445B01"}, "vat_number"),  # another country's number
        ({"peppol_id": "5560360793"}, "peppol_id"),  # no scheme
        ({"peppol_id": "9999:5560360793"}, "peppol_id"),  # unknown scheme
        ({"phone": "ring us"}, "phone"),
        ({"street": "x" * 201}, "street"),
        ({"email": "not-an-address"}, "email"),
        ({"bic": "NDEA"}, "bic"),
    ],
)
def test_bad_details_name_the_field_and_change_nothing(
    portal: Portal, world: World, changes: dict, field: str
) -> None:
    acme = world.acme_admin.company_id
    before = companies.get_company(portal, world.acme_admin.actor, acme)
    with pytest.raises(ValidationError) as error:
        companies.update_company(
            portal, world.acme_admin.actor, acme, **{"city": "Solna", **changes}
        )
    assert error.value.field == field
    assert companies.get_company(portal, world.acme_admin.actor, acme) == before


def test_a_peppol_id_of_another_member_is_refused(portal: Portal, world: World) -> None:
    with pytest.raises(Conflict) as error:
        companies.update_company(
            portal, world.acme_admin.actor, world.acme_admin.company_id, peppol_id="0106:12345678"
        )
    assert error.value.field == "peppol_id"


def test_members_and_other_companies_cannot_change_details(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    with pytest.raises(PermissionDenied):
        companies.update_company(portal, world.acme_member.actor, acme, phone="0812345678")
    with pytest.raises(NotFound):
        companies.update_company(portal, world.bakker_admin.actor, acme, phone="0812345678")


def test_an_invitation_shows_until_withdrawn_and_then_stops_working(
    portal: Portal, world: World
) -> None:
    admin, acme = world.acme_admin.actor, world.acme_admin.company_id
    issued = companies.add_user(portal, admin, acme, "cecilia@acme.se", name="Cecilia")
    assert issued is not None
    users = {u.email: u for u in companies.list_users(portal, admin, acme)}
    assert users["cecilia@acme.se"].invited and not users["cecilia@acme.se"].active
    assert not users["bo@acme.se"].invited and users["bo@acme.se"].active

    companies.set_user_active(portal, admin, issued.user_id, False)
    users = {u.email: u for u in companies.list_users(portal, admin, acme)}
    assert not users["cecilia@acme.se"].invited
    login = accounts.authenticate_password(
        portal, Actor.anonymous(), "cecilia@acme.se", issued.code
    )
    assert login.outcome is not LoginOutcome.OK


def test_deactivate_reactivate_and_the_approve_permission(portal: Portal, world: World) -> None:
    admin, bo = world.acme_admin.actor, world.acme_member.user_id
    companies.set_user_permissions(portal, admin, bo, role=Role.COMPANY_ADMIN, may_approve=True)
    companies.set_user_active(portal, admin, bo, False)
    with pytest.raises(PermissionDenied):
        accounts.get_profile(portal, world.acme_member.actor)
    companies.set_user_active(portal, admin, bo, True)
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.role, profile.may_approve) == (Role.COMPANY_ADMIN, True)


def test_an_admin_cannot_lock_themselves_out(portal: Portal, world: World) -> None:
    me = world.acme_admin
    with pytest.raises(ValidationError) as error:
        companies.set_user_active(portal, me.actor, me.user_id, False)
    assert error.value.field == "active"
    with pytest.raises(ValidationError) as error:
        companies.set_user_permissions(portal, me.actor, me.user_id, role=Role.MEMBER)
    assert error.value.field == "role"


def test_a_new_invitation_replaces_the_old_code(portal: Portal, world: World) -> None:
    admin, acme = world.acme_admin.actor, world.acme_admin.company_id
    first = companies.add_user(portal, admin, acme, "cecilia@acme.se")
    assert first is not None
    second = companies.reinvite_user(portal, admin, first.user_id)
    anonymous = Actor.anonymous()
    old = accounts.authenticate_password(portal, anonymous, "cecilia@acme.se", first.code)
    assert old.outcome is not LoginOutcome.OK
    new = accounts.authenticate_password(portal, anonymous, "cecilia@acme.se", second.code)
    assert new.ok and new.must_change_password
    with pytest.raises(ValidationError):  # has logged in now: nothing to invite to
        companies.reinvite_user(portal, admin, first.user_id)
    with pytest.raises(ValidationError):
        companies.reinvite_user(portal, admin, world.acme_member.user_id)


@pytest.mark.parametrize("staff_role", [Role.SUPPORT, Role.PORTAL_ADMIN])
def test_a_company_admin_cannot_touch_staff_in_their_company(
    portal: Portal, world: World, staff_role: Role
) -> None:
    admin, acme = world.acme_admin.actor, world.acme_admin.company_id
    staff = add_user(portal, acme, "staff@acme.se", role=staff_role)
    with pytest.raises(PermissionDenied):
        companies.set_user_permissions(portal, admin, staff.user_id, role=Role.COMPANY_ADMIN)
    with pytest.raises(PermissionDenied):
        companies.set_user_permissions(portal, admin, staff.user_id, may_approve=True)
    with pytest.raises(PermissionDenied):
        companies.set_user_active(portal, admin, staff.user_id, False)
    with pytest.raises(PermissionDenied):
        companies.reinvite_user(portal, admin, staff.user_id)
    profile = accounts.get_profile(portal, staff.actor)
    assert (profile.role, profile.may_approve) == (staff_role, False)


def test_a_portal_admin_manages_staff_in_any_company(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    root = add_user(portal, world.bakker_admin.company_id, "root@portal", role=Role.PORTAL_ADMIN)
    staff = add_user(portal, acme, "staff@acme.se", role=Role.SUPPORT)
    companies.set_user_permissions(portal, root.actor, staff.user_id, role=Role.MEMBER)
    companies.set_user_active(portal, root.actor, staff.user_id, False)
    users = {u.email: u for u in companies.list_users(portal, root.actor, acme)}
    assert (users["staff@acme.se"].role, users["staff@acme.se"].active) == (Role.MEMBER, False)
