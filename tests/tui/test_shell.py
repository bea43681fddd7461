"""The app shell: main screen, header, footer, language switch, help, too-small, hardening."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from textual.widgets import Input

from backend.db.models import Company, User
from backend.i18n import translator
from backend.services import accounts
from backend.services.context import Portal
from tests.services.conftest import World
from tui.app import PortalApp
from tui.navigation import NAV_ITEMS, load_screens
from tui.screens.base import MainScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.language import LanguageScreen
from tui.screens.registration import RegistrationScreen
from tui.session import SessionStart
from tui.widgets.footer import PortalFooter
from tui.widgets.safe_text import inert

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text

SIZE = (100, 30)


async def test_main_screen_shows_user_company_and_counts(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        text = screen_text(app)
        header = text.splitlines()[0]
        assert "Anna · Acme AB · English" in header
        assert "Welcome, Anna." in text
        assert "Company administrator" in text
        assert "SE 5560360793" in text
        # anna may approve, so the approval count is there; bo may not
        assert "Invoices awaiting your approval" in text
        assert "Unread received invoices" in text
        assert "Open support cases" in text
        # every main screen, the company details only for company admins like anna
        assert [item.id for item in app.nav_items] == [
            "home",
            "invoices",
            "new_invoice",
            "send_queue",
            "sent",
            "customers",
            "templates",
            "support",
            "profile",
            "company",
        ]


async def test_approval_count_only_for_those_who_may_approve(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Unread received invoices" in text
        assert "Invoices awaiting your approval" not in text


async def test_language_switch_rerenders_everything_and_is_stored(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = screen_text(app)
        assert "[nl]" not in before and "F1 Help" in before
        await pilot.press("f2")
        assert isinstance(app.screen, LanguageScreen)
        await pilot.press("down", "enter")  # English -> Nederlands
        await settle(pilot)
        text = screen_text(app)
        header, footer = text.splitlines()[0], text.splitlines()[-1]
        assert "Nederlands" in header and "[nl]Invoice Portal · [nl]Home" in header
        assert "F1 [nl]Help" in footer and "F2 [nl]Language" in footer
        assert "[nl]Welcome, Anna." in text and "[nl]Unread received invoices" in text
        assert "[nl]Home" in text  # the navigation
        # nothing left in English: every line with letters carries the marker or is data
        assert "Waiting for you" not in text.replace("[nl]Waiting for you", "")
        await pilot.press("ctrl+l", "down", "enter")  # Nederlands -> Svenska
        await settle(pilot)
        text = screen_text(app)
        assert "Svenska" in text.splitlines()[0]
        assert "F1 [sv]Help" in text.splitlines()[-1] and "[nl]" not in text
    profile = accounts.get_profile(portal, world.acme_admin.actor)
    assert profile.language == "sv"


async def test_language_switch_with_the_real_catalogs(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2", "down", "enter")
        await settle(pilot)
        nl = translator("nl")
        footer = app.screen.query_one(PortalFooter)
        descriptions = {key.description for key in footer.query("FooterKey")}
        assert nl("Help") in descriptions and nl("Language") in descriptions
        assert app.t.locale == "nl"
        assert "Nederlands" in screen_text(app).splitlines()[0]


async def test_typed_input_survives_a_language_switch(make_app: AppFactory):
    app = make_app("register", marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "karin@volvo.se")
        await pilot.press("tab")
        await type_text(pilot, "Karin")
        focused = app.focused
        await pilot.press("f2", "down", "down", "enter")  # Svenska
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegistrationScreen)
        assert screen.query_one("#email", Input).value == "karin@volvo.se"
        assert screen.query_one("#name", Input).value == "Karin"
        assert app.focused is focused
        text = screen_text(app)
        assert "[sv]E-mail address" in text and "[sv]Become a member" in text
        assert "[sv]Step 1 of 4: [sv]User information" in text


async def test_terminal_too_small_view_and_back(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=(70, 20)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-too-small")
        text = screen_text(app)
        assert "too small (70×20)" in text and "80×24" in text
        assert "Welcome" not in text
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert not app.screen.has_class("-too-small")
        assert "Welcome, Anna." in screen_text(app)
        await pilot.resize_terminal(80, 23)
        await settle(pilot)
        assert "too small (80×23)" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Welcome, Anna." in screen_text(app)


async def test_help_overlay_lists_the_keys_translated(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2", "down", "enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for line in ("F1", "F2", "F3", "^q", "^l"):
            assert line in text
        assert "[nl]Language" in text and "[nl]Home" in text and "[nl]Quit" in text
        assert "[nl]Keys" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_palette_has_no_screenshot_command(make_app: AppFactory, world: World):
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = [str(command.title) for command in commands]
        assert titles and not [t for t in titles if "screenshot" in t.lower()]
        assert "Help" in titles and "Language" in titles and "Home" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "screen")
        await pilot.pause(0.3)
        assert "Screenshot" not in screen_text(app)


async def test_ctrl_z_does_nothing(
    make_app: AppFactory, world: World, monkeypatch: pytest.MonkeyPatch
):
    signals: list[int] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append(sig))
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = screen_text(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert screen_text(app) == before
        app.action_suspend_process()  # even called directly it does nothing
        for screen in app.all_screens():
            actions = {b.binding.action for b in screen.active_bindings.values()}
            assert not {"suspend_process", "app.suspend_process"} & actions
    assert signals == []


async def test_database_text_is_shown_inert(make_app: AppFactory, world: World, portal: Portal):
    with portal.sessions.begin() as session:
        session.execute(
            update(Company)
            .where(Company.id == world.acme_admin.company_id)
            .values(name="[bold red]Evil[/] \x1b[2J\u202eAB")
        )
        session.execute(
            update(User).where(User.id == world.acme_admin.user_id).values(name="$x [link=x]y")
        )
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]Evil[/]  [2J AB" in text
        assert "Welcome, $x [link=x]y." in text
        assert "\x1b" not in text and "\u202e" not in text


def test_inert_removes_control_characters() -> None:
    assert inert("a\x00b\x1b[31mc\x7f\x85d\u202ee\u2066f\nline\tend") == (
        "a b [31mc  d e f line end"
    )
    assert inert("Åsa Öberg & Co. [b]") == "Åsa Öberg & Co. [b]"


async def test_a_crash_is_logged_without_locals(
    make_app: AppFactory, world: World, portal: Portal, monkeypatch: pytest.MonkeyPatch
):
    def explode(*_args: object, **_kwargs: object) -> None:
        hidden_value = "s3cr3t-local-value"
        raise RuntimeError(f"boom {len(hidden_value)}")

    monkeypatch.setattr(accounts, "get_profile", explode)
    app = make_app("main", world.acme_admin.user_id)
    with pytest.raises(Exception, match="boom"):  # Textual wraps it: WorkerFailed
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
    assert app.crashed and app.return_code == 1
    log = (portal.settings.data_dir / "logs" / "session-errors.log").read_text()
    assert "RuntimeError: boom 18" in log and "in explode" in log
    assert "s3cr3t-local-value" not in log
    assert f"user_id={world.acme_admin.user_id}" in log


def test_textual_still_has_the_hooks_the_hardening_overrides() -> None:
    # PortalApp overrides these to keep tracebacks off the terminal; if Textual renames
    # them, the override would silently stop working.
    from textual.app import App

    for name in ("_handle_exception", "_fatal_error", "_print_error_renderables"):
        assert callable(getattr(App, name)), name
        assert name in PortalApp.__dict__


def test_run_session_prints_one_line_on_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backend.config import Settings
    from tui.session import run_session

    settings = Settings(data_dir=tmp_path, database_url="nosuchdb://x")
    start = SessionStart("main", 1, "anna@acme.se", "192.0.2.1", "h", 22, language="en")
    assert run_session(start, settings) == 1
    out = capsys.readouterr()
    assert out.out.strip() == ("Something went wrong; your session has ended. Please log in again.")
    assert "Traceback" not in out.out + out.err
    assert "Traceback" in (tmp_path / "logs" / "session-errors.log").read_text()


def test_session_start_round_trips_as_json() -> None:
    start = SessionStart("choose_password", 7, "anna@acme.se", "192.0.2.1", "portal", 2222, "sv")
    assert SessionStart.from_json(start.to_json()) == start
    with pytest.raises(ValueError):
        SessionStart("shell", None, "x", "p", "h", 22)
    with pytest.raises(ValueError):
        SessionStart("main", None, "x", "p", "h", 22)


def test_every_navigation_item_is_a_real_screen() -> None:
    load_screens()
    seen_keys = set()
    for item in NAV_ITEMS:
        screen = item.screen_factory()()
        assert isinstance(screen, MainScreen) and item.id == screen.NAV_ID
        assert item.key not in seen_keys and item.key not in ("f1", "f2")
        seen_keys.add(item.key)


def test_preload_imports_the_app_without_touching_the_database(tmp_path: Path) -> None:
    program = (
        "import sys, asyncio\n"
        "from tui.session import preload\n"
        "preload()\n"
        "assert 'tui.app' in sys.modules and 'textual.app' in sys.modules\n"
        "assert 'tui.screens.home' in sys.modules and 'tui.screens.registration' in sys.modules\n"
        "try:\n"
        "    asyncio.get_running_loop()\n"
        "    raise SystemExit('a loop is running')\n"
        "except RuntimeError:\n"
        "    pass\n"
    )
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", program], check=True, env=env, cwd=Path.cwd())
    assert list(tmp_path.iterdir()) == []
