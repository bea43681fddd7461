"""The top line: product and screen title on the left; user, company and language on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from backend.i18n import LANGUAGE_NAMES, Translator

from .safe_text import inert
from .translated import Msg, Translatable, render


class PortalHeader(Horizontal, Translatable):
    def __init__(self, title: Msg) -> None:
        super().__init__(id="header")
        self.title_msg = title

    def compose(self) -> ComposeResult:
        yield Static(id="header-title", markup=False)
        yield Static(id="header-who", markup=False)

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        title = t("Invoice Portal") + " · " + render(self.title_msg, t)
        self.query_one("#header-title", Static).update(Content(title))
        profile = getattr(self.app, "profile", None)
        parts = [] if profile is None else [inert(profile.name), inert(profile.company_name)]
        parts.append(LANGUAGE_NAMES.get(t.locale, t.locale))
        self.query_one("#header-who", Static).update(Content(" · ".join(parts)))
