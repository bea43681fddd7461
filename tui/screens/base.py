"""What every portal screen has: the header, the footer, the too-small notice, the language.

``PortalScreen`` subclasses set ``TITLE_MSG`` and write ``compose_body``; ``MainScreen``
subclasses (the screens in the navigation) set ``NAV_ID`` and write ``compose_content``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from backend.domain.errors import N_
from backend.i18n import Translator

from ..widgets.footer import PortalFooter
from ..widgets.header import PortalHeader
from ..widgets.navigation_bar import NavigationBar
from ..widgets.translated import Msg, TLabel, Translatable

MIN_WIDTH = 80
MIN_HEIGHT = 24


def too_small_text(t: Translator, width: int, height: int) -> str:
    return t(
        "The terminal is too small ({width}×{height}). Please make it at least"
        " {min_width}×{min_height}.",
        width=width,
        height=height,
        min_width=MIN_WIDTH,
        min_height=MIN_HEIGHT,
    )


class SizeGuard:
    """Shows only the too-small notice while the terminal is under 80×24, and gives focus back
    to where it was when it is large enough again."""

    _focus_before_small: Widget | None = None

    def check_size(self: Any) -> None:
        width, height = self.app.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        was_small = self.has_class("-too-small")
        if small and not was_small:
            self._focus_before_small = self.focused
        self.set_class(small, "-too-small")
        if small:
            notice = self.query_one("#too-small", TLabel)
            notice.set_msg(lambda t: too_small_text(t, width, height))
        elif was_small and self._focus_before_small is not None:
            if self._focus_before_small.is_attached:
                self.set_focus(self._focus_before_small)
            self._focus_before_small = None

    def on_resize(self, _event: Resize) -> None:
        self.check_size()

    def on_screen_resume(self, _event: ScreenResume) -> None:
        self.check_size()


# Textual's own screen keys, with descriptions the footer and help can translate.
SCREEN_BINDINGS: list[BindingType] = [
    Binding("tab", "app.focus_next", N_("Next field"), show=False),
    Binding("shift+tab", "app.focus_previous", N_("Previous field"), show=False),
]


class PortalScreen(SizeGuard, Screen[Any], Translatable):
    TITLE_MSG: ClassVar[Msg] = N_("Invoice Portal")
    BINDINGS: ClassVar[list[BindingType]] = SCREEN_BINDINGS

    def compose(self) -> ComposeResult:
        yield TLabel("", id="too-small")
        with Vertical(id="frame"):
            yield PortalHeader(self.TITLE_MSG)
            yield from self.compose_body()
        yield PortalFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.check_size()

    def translate(self, t: Translator) -> None:
        """Re-render what the screen shows beyond its translated widgets (none by default)."""


class PortalModal(SizeGuard, ModalScreen[Any], Translatable):
    """An overlay (help, language picker) over the current screen; Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *SCREEN_BINDINGS,
        Binding("escape", "dismiss_overlay", N_("Close")),
    ]

    def compose(self) -> ComposeResult:
        yield TLabel("", id="too-small")
        with Vertical(id="frame", classes="overlay"):
            yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.check_size()

    def action_dismiss_overlay(self) -> None:
        self.dismiss(None)

    def translate(self, t: Translator) -> None:
        """Re-render what the overlay shows beyond its translated widgets (none by default)."""


class MainScreen(PortalScreen):
    """A screen of the navigation: the navigation bar on the left, the content on the right."""

    NAV_ID: ClassVar[str] = ""

    def compose_body(self) -> ComposeResult:
        items = self.app.nav_items  # type: ignore[attr-defined]
        with Horizontal(id="body"):
            yield NavigationBar(items, self.NAV_ID)
            with Vertical(id="content"):
                yield from self.compose_content()

    def compose_content(self) -> ComposeResult:
        yield from ()
