"""The language picker (F2 / Ctrl+L from any screen); each language named in itself."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend.domain.errors import N_
from backend.i18n import LANGUAGE_NAMES, LOCALES

from ..widgets.translated import TLabel
from .base import PortalModal


class LanguageScreen(PortalModal):
    def compose_body(self) -> ComposeResult:
        yield TLabel(N_("Choose your language"), classes="overlay-title")
        current = self.app.t.locale  # type: ignore[attr-defined]
        options = OptionList(
            *(Option(Content(LANGUAGE_NAMES[code]), id=code) for code in LOCALES),
            id="languages",
        )
        options.highlighted = LOCALES.index(current) if current in LOCALES else 0
        yield options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
