"""The portal's Textual app: routing by session mode, the session's language, keys, hardening.

How a screen is written (every later screen follows this):

- Subclass ``MainScreen`` (``tui/screens/base.py``) for a screen of the navigation: set
  ``NAV_ID`` and ``TITLE_MSG`` and write ``compose_content``; then add a ``NavItem`` to
  ``tui/navigation.py``. Other full screens subclass ``PortalScreen``; overlays ``PortalModal``.
- Language. The app holds the session's translator as ``app.t``. Put text on screen through the
  widgets of ``tui/widgets/translated.py`` (``TLabel``, ``TButton``, ``TInput`` placeholders,
  ``TCheckbox``, ``TRadioButton``, ``TSelect``, ``FieldError``), giving them a msgid marked
  ``N_("...")`` or a function ``lambda t: t("... {x}", x=...)``: they render themselves and
  re-render when the language changes. Text a screen computes itself (counts, summaries) is
  rendered in the screen's ``translate(self, t)``, which the app calls on a language change
  (call it yourself after loading data). Binding descriptions are msgids: ``N_("Approve")``;
  the footer and the help overlay translate them. A language change never recomposes, so
  what the user typed stays where it is.
- Data from the database (other companies' names, addresses) is hostile: show it only as plain
  ``Content`` (the translated widgets do) and pass it through ``inert()``
  (``tui/widgets/safe_text.py``); never build markup strings from it.
- Services are synchronous: call them as ``await self.app.service(use_case, *args)`` from a
  worker (``self.run_worker(coroutine, exclusive=True)``), never directly in a handler.
  A ``DomainError`` carries the field it is about: show it with
  ``tui.widgets.form.show_error(container, error)``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from backend.domain.errors import N_
from backend.i18n import Translator, translator
from backend.services import accounts
from backend.services.accounts import Profile
from backend.services.context import Actor, Portal

from .navigation import NAV_ITEMS, NavItem, visible_items
from .session import SessionStart, log_exception
from .widgets.translated import Translatable

P = ParamSpec("P")
R = TypeVar("R")

STYLES = Path(__file__).resolve().parent / "styles"
# app.tcss first (the shell), then every screen's file; tokens.tcss is read by design_tokens().
STYLE_FILES = (
    "app.tcss",
    *sorted(p.name for p in STYLES.glob("*.tcss") if p.name not in ("app.tcss", "tokens.tcss")),
)
_TOKEN = re.compile(r"^\s*\$([\w-]+)\s*:\s*(.+?)\s*;\s*$")
_VARIABLE = re.compile(r"\$([\w-]+)")


def design_tokens() -> dict[str, str]:
    """The ``$name: value;`` lines of tokens.tcss, offered to every TCSS file as variables
    (Textual scopes a variable declared in a file to that file)."""
    tokens = {}
    for line in (STYLES / "tokens.tcss").read_text(encoding="utf-8").splitlines():
        match = _TOKEN.match(line)
        if match:
            tokens[match[1]] = match[2]
    return tokens


def _nav_bindings() -> list[BindingType]:
    return [
        Binding(item.key, f"go('{item.id}')", item.label, show=False, priority=True)
        for item in NAV_ITEMS
    ]


class PortalApp(App[int]):
    TITLE = "Invoice Portal"
    CSS_PATH: ClassVar = [STYLES / name for name in STYLE_FILES]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help"), priority=True),
        Binding("question_mark", "help", N_("Help"), show=False),
        Binding("f2", "language", N_("Language"), priority=True),
        Binding("ctrl+l", "language", N_("Language"), show=False, priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True),
        *_nav_bindings(),
    ]

    def __init__(
        self,
        start: SessionStart,
        portal: Portal,
        *,
        translators: Callable[[str], Translator] = translator,
    ) -> None:
        super().__init__()
        self.start = start
        self.portal = portal
        self.translators = translators
        self.t: Translator = translators(start.language)
        if start.user_id is None:
            self.actor = Actor.anonymous(source=start.peer)
        else:
            self.actor = Actor.user(start.user_id, source=start.peer)
        self.profile: Profile | None = None
        self.nav_items: list[NavItem] = []
        self.crashed = False

    # --- start and routing ------------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables plus the design tokens (theirs resolved against the theme)."""
        variables = super().get_css_variables()
        for name, value in design_tokens().items():
            variables[name] = _VARIABLE.sub(lambda m: variables.get(m[1], m[0]), value)
        return variables

    def on_mount(self) -> None:
        mode = self.start.mode
        if mode == "register":
            from .screens.registration import RegistrationScreen

            self.push_screen(RegistrationScreen())
        elif mode == "reset":
            from .screens.password_reset import PasswordResetScreen

            self.push_screen(PasswordResetScreen())
        else:
            self.run_worker(self._start_logged_in(), name="start", exclusive=True)

    async def _start_logged_in(self) -> None:
        self.profile = await self.service(accounts.get_profile)
        if self.profile.language != self.t.locale:
            self.t = self.translators(self.profile.language)
        if self.start.mode == "choose_password" or self.profile.must_change_password:
            from .screens.choose_password import ChoosePasswordScreen

            await self.push_screen(ChoosePasswordScreen())
        else:
            await self.enter_main()

    async def enter_main(self) -> None:
        """Leave the account screens for the main screens (after login or a new password)."""
        assert self.profile is not None
        self.profile = await self.service(accounts.get_profile)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.nav_items = visible_items(self.profile)
        for item in self.nav_items:
            self.add_mode(item.id, item.screen_factory())
        await self.switch_mode(self.nav_items[0].id)

    def get_key_display(self, binding: Binding) -> str:
        key = binding.key
        if binding.key_display is None and len(key) <= 3 and key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return super().get_key_display(binding)

    def action_go(self, item_id: str) -> None:
        if any(item.id == item_id for item in self.nav_items) and item_id != self.current_mode:
            self.switch_mode(item_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return any(item.id == parameters[0] for item in self.nav_items)
        return True

    # --- services ---------------------------------------------------------------------------

    async def service(self, use_case: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """Call a use case as the session's user, in a worker thread (keys never wait on it)."""
        return await asyncio.to_thread(use_case, self.portal, self.actor, *args, **kwargs)

    # --- language ---------------------------------------------------------------------------

    def action_language(self) -> None:
        from .screens.language import LanguageScreen

        if not isinstance(self.screen, LanguageScreen):
            self.push_screen(LanguageScreen(), self._language_chosen)

    def _language_chosen(self, code: str | None) -> None:
        if code and code != self.t.locale:
            self.run_worker(self.set_language(code), name="language", exclusive=True)

    async def set_language(self, code: str) -> None:
        """Switch the session to ``code``, store it in the profile, re-render every screen."""
        if self.profile is not None:
            await self.service(accounts.update_profile, language=code)
            self.profile = replace(self.profile, language=code)
        self.t = self.translators(code)
        self.retranslate()

    def all_screens(self) -> list[Screen[Any]]:
        screens: list[Screen[Any]] = []
        for mode in ("_default", *(item.id for item in self.nav_items)):
            try:
                stack = self.get_screen_stack(mode)
            except KeyError:  # a mode whose screen was never opened
                continue
            screens.extend(s for s in stack if s not in screens)
        return screens

    def retranslate(self) -> None:
        for screen in self.all_screens():
            for node in screen.walk_children(Translatable, with_self=True):
                node.translate(self.t)
        self.refresh_bindings()

    # --- help, palette, quitting ------------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen, key_rows

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(key_rows(self, self.screen)))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=self.t("Search for commands…"))
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's commands: ours, translated. Textual's own list is not offered (its
        "Screenshot" writes files on the server; the others are English only)."""
        t = self.t
        for item in self.nav_items:
            yield SystemCommand(t(item.label), t("Go to this screen"), self._go_later(item.id))
        yield SystemCommand(t("Help"), t("Show all keys"), self.action_help)
        yield SystemCommand(t("Language"), t("Choose your language"), self.action_language)
        yield SystemCommand(t("Quit"), t("End the session"), self.exit)

    def _go_later(self, item_id: str) -> Callable[[], None]:
        return lambda: self.action_go(item_id)

    def action_help_quit(self) -> None:
        self.notify(self.t("Press Ctrl+Q to quit."), markup=False)

    def action_suspend_process(self) -> None:
        """Never suspend: the process serves a remote session and has no shell to return to."""

    # --- crashes ----------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        self.crashed = True
        log_exception(self.portal.settings.data_dir, error, start=self.start)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would render a traceback with local variables for the terminal; the log
        # already holds the traceback (without locals), the user gets one line from run_session.
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        self._exit_renderables.clear()
