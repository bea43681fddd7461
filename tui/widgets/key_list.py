"""The user's SSH login keys as a table: name (the key's comment), type and fingerprint.

``delete`` on a row asks the screen to remove that key (``KeyList.RemoveRequested``); the
screen confirms first. Column titles are translated in ``show``, which the screen calls again
on every language change. Comments come from whoever made the key: shown as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from backend.domain.errors import N_
from backend.i18n import Translator
from backend.services.accounts import KeyView

from .safe_text import inert

COLUMNS = (N_("Name"), N_("Type"), N_("Fingerprint"))


class KeyList(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove", N_("Remove key")),
    ]

    class RemoveRequested(Message):
        def __init__(self, key: KeyView) -> None:
            super().__init__()
            self.key = key

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.key_views: list[KeyView] = []

    def show(self, keys: Sequence[KeyView], t: Translator) -> None:
        """List ``keys``; the cursor stays on the same key if it is still there."""
        current = self.selected_key
        self.key_views = list(keys)
        self.clear(columns=True)
        for title in COLUMNS:
            self.add_column(Text(t(title)))
        for key in self.key_views:
            self.add_row(
                Text(inert(key.comment) or "–"),
                Text(inert(key.algorithm)),
                Text(key.fingerprint),
                key=str(key.id),
            )
        ids = [key.id for key in self.key_views]
        if current is not None and current.id in ids:
            self.move_cursor(row=ids.index(current.id))

    @property
    def selected_key(self) -> KeyView | None:
        if not self.key_views or not 0 <= self.cursor_row < len(self.key_views):
            return None
        return self.key_views[self.cursor_row]

    def action_remove(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.RemoveRequested(key))
