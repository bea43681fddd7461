"""A table whose rows can be marked for a bulk action (approve, download, mark read, ...).

``space`` marks or unmarks the row under the cursor, ``a`` marks every row (or, when all are
marked, none), ``shift+down`` / ``shift+up`` mark the row under the cursor and the next one,
so holding shift marks a range. The first column shows the marks; the owner fills the rest with
``populate`` (again on every language change or reload: marks, cursor and scroll position are
kept for the rows still there). Cells are shown as plain text, never parsed as markup: give
database text through ``inert()``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from backend.domain.errors import N_

MARKED = "[x]"
UNMARKED = "[ ]"
MARK_COLUMN = "mark"

Cell = str | Text


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell, end="")


class MarkTable(DataTable[Any]):
    """A row-cursor DataTable with a mark column; the row keys are the owner's ids."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", N_("Mark")),
        Binding("a", "mark_all", N_("Mark all")),
        Binding("shift+down", "mark_range(1)", N_("Mark down"), show=False),
        Binding("shift+up", "mark_range(-1)", N_("Mark up"), show=False),
    ]

    class MarksChanged(Message):
        """The set of marked rows changed (``table.marked`` holds them in row order)."""

        def __init__(self, table: MarkTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> MarkTable:
            return self.table

    def __init__(self, *, markable: bool = True, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.markable = markable
        self._marks: set[Hashable] = set()
        self._order: list[Hashable] = []

    # --- content ----------------------------------------------------------------------------

    def populate(
        self, columns: Sequence[Cell], rows: Iterable[tuple[Hashable, Sequence[Cell]]]
    ) -> None:
        """Show ``rows`` (key, cells) under ``columns`` (labels), after the mark column."""
        cursor_key = self.cursor_key
        scroll = self.scroll_offset
        self.clear(columns=True)
        self.add_column(Text(""), key=MARK_COLUMN, width=len(MARKED))
        for index, label in enumerate(columns):
            self.add_column(_text(label), key=f"c{index}")
        self._order = []
        for key, cells in rows:
            self._order.append(key)
            self.add_row(Text(self._mark_of(key)), *(_text(c) for c in cells), key=str(key))
        kept = self._marks & set(self._order)
        changed = kept != self._marks
        self._marks = kept
        if cursor_key in self._order:
            self.move_cursor(row=self._order.index(cursor_key), animate=False)
            self.scroll_to(scroll.x, scroll.y, animate=False, immediate=True)
        if changed:
            self.post_message(self.MarksChanged(self))

    @property
    def keys(self) -> list[Hashable]:
        return list(self._order)

    @property
    def cursor_key(self) -> Hashable | None:
        """The owner's key of the row under the cursor (None when the table is empty)."""
        if not self._order or not 0 <= self.cursor_row < len(self._order):
            return None
        return self._order[self.cursor_row]

    @property
    def marked(self) -> list[Hashable]:
        """The marked rows' keys, in row order."""
        return [key for key in self._order if key in self._marks]

    def set_marked(self, keys: Iterable[Hashable]) -> None:
        wanted = set(keys) & set(self._order) if self.markable else set()
        if wanted != self._marks:
            changed = wanted ^ self._marks
            self._marks = wanted
            for key in changed:
                self._show_mark(key)
            self.post_message(self.MarksChanged(self))

    def _mark_of(self, key: Hashable) -> str:
        if not self.markable:
            return ""
        return MARKED if key in self._marks else UNMARKED

    def _show_mark(self, key: Hashable) -> None:
        self.update_cell(str(key), MARK_COLUMN, Text(self._mark_of(key)))

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_mark", "mark_all", "mark_range"):
            return self.markable and bool(self._order)
        return super().check_action(action, parameters)

    def action_toggle_mark(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.set_marked(self._marks ^ {key})

    def action_mark_all(self) -> None:
        every = set(self._order)
        self.set_marked(set() if self._marks >= every else every)

    def action_mark_range(self, step: int) -> None:
        key = self.cursor_key
        if key is None:
            return
        target = min(max(self.cursor_row + step, 0), len(self._order) - 1)
        self.set_marked(self._marks | {key, self._order[target]})
        self.move_cursor(row=target)
