"""What the customers screen's tabs share: translated tables, the pane base, the confirmation.

Text in tables comes from the database (names, e-mail addresses of other companies): every cell
is a ``rich.text.Text`` of ``inert()`` text, never a string DataTable would read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, TabbedContent, TabPane

from backend.db.models import DeliveryChannel
from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.services.customers import CHANNEL_LABELS, CustomerView

from ..widgets.safe_text import error_text, inert
from ..widgets.translated import Msg, TButton, TLabel, Translatable
from .base import PortalModal

T = TypeVar("T")

CHANNEL_OPTIONS: tuple[tuple[Msg, DeliveryChannel], ...] = tuple(
    (CHANNEL_LABELS[channel], channel) for channel in DeliveryChannel
)


def cell(text: str, style: str = "") -> Text:
    """A table cell showing ``text`` as it is (database text made inert, never markup)."""
    return Text(inert(text), style=style, no_wrap=True, overflow="ellipsis", end="")


def detail_rows(rows: Sequence[tuple[str, str]]) -> str:
    """Label/value lines, the values aligned (labels are translated, values already inert)."""
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label:<{width}}{value}" for label, value in rows)


class PortalTable(DataTable[Text], Translatable, Generic[T]):
    """A row-cursor table of ``items``: column titles are msgids, and the rows are built again
    in the session's language when it changes (the cursor stays on its row)."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.items: list[T] = []

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def show(self, items: Sequence[T], *, select: Callable[[T], bool] | None = None) -> None:
        """Show ``items``; the cursor goes to the first one ``select`` accepts, if any."""
        row = self.cursor_row
        self.items = list(items)
        if select is not None:
            row = next((i for i, item in enumerate(self.items) if select(item)), row)
        self._rebuild(self.app.t, row)  # type: ignore[attr-defined]

    @property
    def current(self) -> T | None:
        if not self.items or not 0 <= self.cursor_row < len(self.items):
            return None
        return self.items[self.cursor_row]

    def cells(self, item: T, t: Translator) -> list[Text]:
        raise NotImplementedError

    def translate(self, t: Translator) -> None:
        self._rebuild(t, self.cursor_row)

    def _rebuild(self, t: Translator, row: int) -> None:
        self.clear(columns=True)
        for title in self.COLUMNS:
            self.add_column(Text(t(title)))
        for item in self.items:
            self.add_row(*self.cells(item, t))
        if self.items:
            self.move_cursor(row=max(0, min(row, len(self.items) - 1)), animate=False)


class Pane(Vertical, Translatable):
    """One tab of the customers screen."""

    def focus_first(self) -> None:
        """Put the focus where the user starts in this tab."""

    @property
    def shown(self) -> bool:
        """Whether this pane's tab is the active one. Focusing a widget in another tab would
        make that tab the active one, so a pane that works in the background leaves the focus
        alone."""
        tab = next(a for a in self.ancestors if isinstance(a, TabPane))
        tabs = next(a for a in self.ancestors if isinstance(a, TabbedContent))
        return tabs.active == tab.id

    def focus_if_shown(self) -> None:
        if self.shown:
            self.focus_first()

    def translate(self, t: Translator) -> None:
        """Re-render what the pane computes itself (its widgets translate themselves)."""


class CustomerAdded(Message):
    """A customer was added to the register (from the directory or by e-mail)."""

    def __init__(self, customer: CustomerView) -> None:
        super().__init__()
        self.customer = customer


def error_msg(error: DomainError) -> Msg:
    """``error`` as a text that follows the session's language."""
    return lambda t: error_text(t, error)


def channel_label(channel: DeliveryChannel, t: Translator) -> str:
    return t(CHANNEL_LABELS[channel])


def notice_style(widget: Widget) -> str:
    """The theme's colour for "needs attention" (the guide shows "Awaiting approval" orange)."""
    return widget.app.get_css_variables().get("portal-notice", "")


class ConfirmScreen(PortalModal):
    """Asks one question; dismisses with True (the action's button) or False (Cancel, Escape)."""

    def __init__(self, question: Msg, action: Msg) -> None:
        super().__init__()
        self.question = question
        self.action = action

    def compose_body(self) -> ComposeResult:
        yield TLabel(N_("Please confirm"), classes="overlay-title")
        yield TLabel(self.question, id="confirm-question")
        with Horizontal(classes="buttons"):
            yield TButton(self.action, id="confirm-yes", variant="primary", compact=True)
            yield TButton(N_("Cancel"), id="confirm-no", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_dismiss_overlay(self) -> None:
        self.dismiss(False)
