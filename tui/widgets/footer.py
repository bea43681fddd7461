"""Textual's Footer, with every key description translated by the session's translator.

Binding descriptions are msgids (``Binding("f2", "language", N_("Language"))``); Textual's
Footer would show them as given, so each key it builds is translated on the way out, and the
footer is rebuilt when the language changes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from backend.i18n import Translator

from .translated import Translatable


class PortalFooter(Footer, Translatable):
    def __init__(self) -> None:
        super().__init__(id="footer", show_command_palette=False)

    def compose(self) -> ComposeResult:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = t(widget.description)
            elif isinstance(widget, FooterLabel):
                widget.update(t(str(widget.content)))
            yield widget

    def translate(self, t: Translator) -> None:
        if self.is_mounted:
            self.call_later(self.recompose)
