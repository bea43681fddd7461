"""The company details screen (F12, company admins): details, users, invitations."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from backend.db.models import Role
from backend.services import accounts, companies
from backend.services.context import Actor, Portal
from backend.services.errors import PermissionDenied
from tests.services.conftest import World, add_user
from tui.screens.company import CompanyScreen, UsersTable
from tui.screens.home import HomeScreen
from tui.screens.profile import ConfirmOverlay

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .test_profile_screen import field_error, replace_text

SIZE = (120, 40)
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _mails(portal: Portal) -> list[Message]:
    outbox = portal.settings.data_dir / "mail"
    if not outbox.exists():
        return []
    return [message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def _plain_body(mail: Message) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


async def open_company(pilot: Pilot) -> CompanyScreen:
    await settle(pilot)
    await pilot.press("f12")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompanyScreen)
    return screen


def _users(portal: Portal, world: World) -> dict[str, companies.UserView]:
    listed = companies.list_users(portal, world.acme_admin.actor, world.acme_admin.company_id)
    return {user.email: user for user in listed}


async def test_members_neither_see_nor_open_company_details(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "company" not in [item.id for item in app.nav_items]
        assert "Company details" not in screen_text(app)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # Even put on screen by hand, the screen shows the refusal and no details.
        await app.push_screen(CompanyScreen())
        await settle(pilot)
        text = screen_text(app)
        assert "You do not have permission to do this." in text
        assert "SE556036079301" not in text and "bo@acme.se" not in text


async def test_a_bad_vat_number_is_named_under_the_field_and_a_good_one_saved(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_company(pilot)
        details = screen.query_one("#company-details")
        vat = screen.query_one("#vat_number", Input)
        assert vat.value == "SE556036079301"
        await replace_text(pilot, vat, "SE556036079201")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(details, "vat_number") == (
            "The VAT number SE556036079201 has a wrong check digit."
        )
        assert vat.value == "SE556036079201" and app.focused is vat
        assert "The company details are saved." not in screen_text(app)
        stored = companies.get_company(portal, world.acme_admin.actor, world.acme_admin.company_id)
        assert stored.vat_number == "SE556036079301"

        await replace_text(pilot, vat, "SE 5560360793 01")
        await replace_text(pilot, screen.query_one("#city", Input), "Solna")
        screen.query_one("#four_eyes", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(details, "vat_number") == ""
        assert "The company details are saved." in screen_text(app)
        assert vat.value == "SE556036079301"  # as stored
    stored = companies.get_company(portal, world.acme_admin.actor, world.acme_admin.company_id)
    assert (stored.vat_number, stored.city, stored.four_eyes) == ("SE556036079301", "Solna", True)


async def test_inviting_a_user_creates_them_and_mails_the_activation_code(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_company(pilot)
        email = screen.query_one("#invite-email", Input)
        await replace_text(pilot, email, "cecilia")
        await pilot.press("enter")
        await settle(pilot)
        invite = screen.query_one("#company-invite")
        assert field_error(invite, "email") == "“cecilia” is not an e-mail address."
        assert _mails(portal) == []

        await replace_text(pilot, screen.query_one("#invite-name", Input), "Cecilia Ek")
        screen.query_one("#invite-approve", Checkbox).value = True
        await replace_text(pilot, email, "cecilia@acme.se")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "The invitation is sent to cecilia@acme.se." in text
        assert "Cecilia Ek" in text and "Invited" in text
        assert email.value == ""
    user = _users(portal, world)["cecilia@acme.se"]
    assert (user.name, user.role, user.may_approve, user.invited) == (
        "Cecilia Ek",
        Role.MEMBER,
        True,
        True,
    )
    [mail] = _mails(portal)
    assert mail["To"] == "cecilia@acme.se"
    code = CODE.search(_plain_body(mail))
    assert code is not None
    login = accounts.authenticate_password(portal, Actor.anonymous(), "cecilia@acme.se", code[0])
    assert login.ok and login.must_change_password


async def test_approve_permission_and_role_from_the_users_table(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_company(pilot)
        table = screen.query_one("#users", UsersTable)
        table.focus()
        await pilot.press("down")  # anna@acme.se, bo@acme.se
        assert table.selected_user is not None and table.selected_user.email == "bo@acme.se"
        await pilot.press("a")
        await settle(pilot)
        assert _users(portal, world)["bo@acme.se"].may_approve
        await pilot.press("r")
        await settle(pilot)
        assert _users(portal, world)["bo@acme.se"].role is Role.COMPANY_ADMIN
        assert table.selected_user is not None and table.selected_user.email == "bo@acme.se"
        assert "Bo: Company administrator, may approve: Yes, active." in screen_text(app)

        await pilot.press("up", "r")  # anna's own role
        await settle(pilot)
        assert "You cannot change your own role." in screen_text(app)
    assert _users(portal, world)["anna@acme.se"].role is Role.COMPANY_ADMIN


async def test_deactivate_and_reactivate_after_confirming(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_company(pilot)
        screen.query_one("#users", UsersTable).focus()
        await pilot.press("down", "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmOverlay)
        assert "Deactivate Bo?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert _users(portal, world)["bo@acme.se"].active

        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and "Deactivated" in screen_text(app)
        assert not _users(portal, world)["bo@acme.se"].active
        with pytest.raises(PermissionDenied):
            accounts.get_profile(portal, world.acme_member.actor)

        await pilot.press("delete")
        await settle(pilot)
        assert "Reactivate Bo?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    assert _users(portal, world)["bo@acme.se"].active
    assert accounts.get_profile(portal, world.acme_member.actor).name == "Bo"


async def test_support_staff_in_the_company_cannot_be_demoted_or_deactivated(
    make_app: AppFactory, world: World, portal: Portal
):
    add_user(portal, world.acme_admin.company_id, "support@acme.se", role=Role.SUPPORT)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_company(pilot)
        table = screen.query_one("#users", UsersTable)
        table.focus()
        await pilot.press("down", "down")  # anna@, bo@, support@acme.se
        assert table.selected_user is not None and table.selected_user.role is Role.SUPPORT
        await pilot.press("r")
        await settle(pilot)
        assert (
            "Support staff and portal administrators are managed by the portal operator."
            in screen_text(app)
        )
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")  # confirm: the service refuses
        await settle(pilot)
        assert "You do not have permission to do this." in screen_text(app)
    staff = _users(portal, world)["support@acme.se"]
    assert (staff.role, staff.active) == (Role.SUPPORT, True)


async def test_typing_letters_into_the_form_changes_no_user(
    make_app: AppFactory, world: World, portal: Portal
):
    before = _users(portal, world)
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_company(pilot)
        screen.query_one("#invite-name", Input).focus()
        await type_text(pilot, "Ria Dari")  # a, r, i: the table's keys
        await settle(pilot)
        assert screen.query_one("#invite-name", Input).value == "Ria Dari"
        assert not isinstance(app.screen, ConfirmOverlay)
    assert _users(portal, world) == before


async def _company_loaded(pilot: Pilot) -> None:
    await open_company(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_company_snapshot(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    accounts.update_profile(portal, world.acme_admin.actor, language=language)
    companies.update_company(
        portal,
        world.acme_admin.actor,
        world.acme_admin.company_id,
        street="Storgatan 1",
        postal_code="111 22",
        city="Stockholm",
        contact_name="Anna Andersson",
        phone="+46 8 123 456",
        email="faktura@acme.se",
        bic="NDEASESS",
    )
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_company_loaded)
