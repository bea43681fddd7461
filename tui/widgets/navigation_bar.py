"""The list of main screens on the left, each with the key that opens it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend.i18n import Translator

from ..navigation import NavItem
from .translated import Translatable


class NavigationBar(OptionList, Translatable):
    def __init__(self, items: list[NavItem], current: str) -> None:
        super().__init__(id="navigation")
        self.items = items
        self.current = current

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        highlighted = self.highlighted
        self.set_options(
            Option(Content(f"{item.key.upper():<4}{t(item.label)}"), id=item.id)
            for item in self.items
        )
        ids = [item.id for item in self.items]
        if highlighted is None and self.current in ids:
            highlighted = ids.index(self.current)
        self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.app.action_go(event.option.id)  # type: ignore[attr-defined]
