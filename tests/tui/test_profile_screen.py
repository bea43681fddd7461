"""The profile screen (F11): contact details, language, notifications, keys and password."""

from __future__ import annotations

import asyncssh
import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select

from backend.db.models.accounts import Notification
from backend.services import accounts
from backend.services.context import Actor, Portal
from tests.services.conftest import PASSWORD, World
from tui.screens.profile import ConfirmOverlay, ProfileScreen
from tui.widgets.form import FormField
from tui.widgets.key_list import KeyList

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text

SIZE = (120, 40)
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl laptop"


def field_error(root: Widget, field: str) -> str:
    """The error shown under ``field`` in ``root`` ("" when none is shown)."""
    for form_field in root.query(FormField):
        if form_field.field == field:
            error = form_field.query_one(".form-error")
            return str(error.content) if error.has_class("-shown") else ""
    raise AssertionError(f"no field {field}")


async def open_profile(pilot: Pilot) -> ProfileScreen:
    await settle(pilot)
    await pilot.press("f11")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProfileScreen)
    return screen


async def replace_text(pilot: Pilot, field: Input, text: str) -> None:
    """Focus ``field``, clear it and type ``text`` as a user would."""
    field.focus()
    await pilot.pause()
    await pilot.press("end", *["backspace"] * len(field.value))
    await type_text(pilot, text)


async def test_name_and_phone_are_saved_with_a_message(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        text = screen_text(app)
        assert "bo@acme.se" in text and "Acme AB" in text and "SE 5560360793" in text
        assert "To change these, ask your account manager." in text
        await replace_text(pilot, screen.query_one("#name", Input), "Bo Ek")
        await replace_text(pilot, screen.query_one("#phone", Input), "+46 70  123 45 67")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "Your profile is saved." in text
        assert "Bo Ek · Acme AB" in text.splitlines()[0]  # the header has the new name
        assert screen.query_one("#phone", Input).value == "+46 70 123 45 67"  # as stored
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.name, profile.phone) == ("Bo Ek", "+46 70 123 45 67")


async def test_errors_appear_under_the_field_and_the_input_stays(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        phone = screen.query_one("#phone", Input)
        await replace_text(pilot, phone, "call me")
        await pilot.press("enter")
        await settle(pilot)
        assert field_error(screen, "phone").startswith("“call me” is not a phone number.")
        assert phone.value == "call me" and app.focused is phone
        assert "is not a phone number" in screen_text(app)

        name = screen.query_one("#name", Input)
        await replace_text(pilot, name, "")
        await replace_text(pilot, phone, "08 123 456")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field_error(screen, "name") == "Please enter your name."
        assert field_error(screen, "phone") == ""  # the earlier error is gone
        assert app.focused is name and phone.value == "08 123 456"
        assert "Your profile is saved." not in screen_text(app)
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert (profile.name, profile.phone) == ("Bo", "")


async def test_saving_another_language_switches_the_whole_ui(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_member.user_id, marked=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        assert "[nl]" not in screen_text(app)
        screen.query_one("#language", Select).focus()
        await pilot.press("enter", "down", "enter")  # English -> Nederlands
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "Nederlands" in text.splitlines()[0]
        assert "[nl]Invoice Portal · [nl]Profile" in text.splitlines()[0]
        for msg in ("Contact details", "Your account", "Login keys", "Change password"):
            assert f"[nl]{msg}" in text
        assert "[nl]Company administrator" not in text and "[nl]Member" in text
        assert "[nl]Your profile is saved." in text
        assert "F1 [nl]Help" in text.splitlines()[-1]
        # The home screen, not open now, follows too.
        await pilot.press("f3")
        await settle(pilot)
        assert "[nl]Welcome, Bo." in screen_text(app)
    assert accounts.get_profile(portal, world.acme_member.actor).language == "nl"


async def test_the_notification_channel_is_saved(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        choice = screen.query_one("#notification", Select)
        assert choice.value is Notification.EMAIL
        choice.focus()
        await pilot.press("enter", "down", "enter")  # E-mail -> E-mail with PDF
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Your profile is saved." in screen_text(app)
    profile = accounts.get_profile(portal, world.acme_member.actor)
    assert profile.notification is Notification.EMAIL_PDF


async def test_a_pasted_key_is_listed_and_can_be_removed(
    make_app: AppFactory, world: World, portal: Portal
):
    key = asyncssh.generate_private_key("ssh-ed25519", comment="work laptop")
    public = key.export_public_key("openssh").decode()
    fingerprint = key.get_fingerprint("sha256")
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        assert "You have no login keys yet." in screen_text(app)
        field = screen.query_one("#public_key", Input)
        field.focus()
        field.value = "ssh-ed25519 nonsense"
        await pilot.press("enter")
        await settle(pilot)
        assert field_error(screen, "public_key").startswith("This is not an SSH public key.")
        assert field.value == "ssh-ed25519 nonsense"

        field.value = public
        await pilot.press("enter")
        await settle(pilot)
        assert field_error(screen, "public_key") == "" and field.value == ""
        text = screen_text(app)
        assert "work laptop" in text and fingerprint in text
        assert "You have no login keys yet." not in text
        assert accounts.authenticate_key(portal, Actor.anonymous(), "bo@acme.se", public).ok

        keys = screen.query_one("#key-list", KeyList)
        keys.focus()
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmOverlay)
        assert "Remove the key “work laptop”?" in screen_text(app)
        await pilot.press("escape")  # not yet
        await settle(pilot)
        assert accounts.list_public_keys(portal, world.acme_member.actor)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")  # the Remove key button has the focus
        await settle(pilot)
        assert app.screen is screen
        assert "You have no login keys yet." in screen_text(app)
    assert accounts.list_public_keys(portal, world.acme_member.actor) == []
    assert not accounts.authenticate_key(portal, Actor.anonymous(), "bo@acme.se", public).ok


async def _change_password(pilot: Pilot, screen: ProfileScreen, *values: str) -> None:
    for name, value in zip(
        ("current_password", "password", "password_confirm"), values, strict=True
    ):
        screen.query_one(f"#{name}", Input).value = value
    screen.query_one("#password_confirm", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_change_password_names_the_field_and_then_works(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_profile(pilot)
        await _change_password(pilot, screen, "wrong", "nieuw2026", "nieuw2026")
        assert field_error(screen, "current_password") == "The current password is not right."
        assert app.focused is screen.query_one("#current_password", Input)

        await _change_password(pilot, screen, PASSWORD, "lettersonly", "lettersonly")
        assert field_error(screen, "current_password") == ""
        assert field_error(screen, "password") == (
            "The password must contain both letters and digits."
        )
        assert screen.query_one("#password", Input).value == "lettersonly"

        await _change_password(pilot, screen, PASSWORD, "nieuw2026", "nieuw2027")
        assert field_error(screen, "password_confirm") == "The two passwords are not the same."

        await _change_password(pilot, screen, PASSWORD, "nieuw2026", "nieuw2026")
        assert "Your password is changed." in screen_text(app)
        for name in ("current_password", "password", "password_confirm"):
            assert screen.query_one(f"#{name}", Input).value == ""
    anonymous = Actor.anonymous()
    assert accounts.authenticate_password(portal, anonymous, "bo@acme.se", "nieuw2026").ok
    assert not accounts.authenticate_password(portal, anonymous, "bo@acme.se", PASSWORD).ok


async def test_other_users_data_is_shown_inert(make_app: AppFactory, world: World, portal: Portal):
    accounts.add_public_key(
        portal, world.acme_member.actor, ED25519.replace("laptop", "[bold]x[/bold]")
    )
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_profile(pilot)
        assert "[bold]x[/bold]" in screen_text(app)


async def _profile_loaded(pilot: Pilot) -> None:
    await open_profile(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_profile_snapshot(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    accounts.update_profile(
        portal, world.acme_admin.actor, language=language, phone="+46 8 123 456"
    )
    accounts.add_public_key(portal, world.acme_admin.actor, ED25519)
    app = make_app("main", world.acme_admin.user_id, language=language)
    assert snap_compare(app, terminal_size=size, run_before=_profile_loaded)
