"""The help overlay (F1 or ?): every key of the screen underneath, in the session's language."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from backend.domain.errors import N_
from backend.i18n import Translator

from ..widgets.translated import TLabel
from .base import PortalModal


def _portal_bindings(node: object) -> set[tuple[str, str]]:
    """(key, action) of the bindings declared by the portal's own classes of ``node``."""
    own: set[tuple[str, str]] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tui."):
            continue
        for entry in cls.__dict__.get("BINDINGS", []):
            if isinstance(entry, Binding):
                for key in entry.key.split(","):
                    own.add((key.strip(), entry.action))
            else:
                for key in entry[0].split(","):
                    own.add((key.strip(), entry[1]))
    return own


def key_rows(app: App[object], screen: Screen[object]) -> list[tuple[str, str]]:
    """(key as shown, description msgid) for the keys that work on ``screen``: the portal's own
    bindings, including the ones the footer leaves out; not Textual's editing keys."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
        own = (key, binding.action) in _portal_bindings(node) or binding.show
        if not (own and enabled and binding.description and not binding.system):
            continue
        row = (app.get_key_display(binding), binding.description)
        if row not in seen:
            seen.add(row)
            rows.append(row)
    return rows


class HelpScreen(PortalModal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "dismiss_overlay", N_("Close")),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose_body(self) -> ComposeResult:
        yield TLabel(N_("Keys"), classes="overlay-title")
        with VerticalScroll(id="help-keys"):
            yield Static(id="help-table", markup=False)
        yield TLabel(N_("Press Escape to close."), classes="overlay-hint")

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        width = max((len(key) for key, _ in self.rows), default=0) + 2
        lines = [f"{key:<{width}}{t(description)}" for key, description in self.rows]
        self.query_one("#help-table", Static).update(Content("\n".join(lines)))
