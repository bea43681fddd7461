"""The invoice list's table: a ``MarkTable`` with the list's columns and keys.

Columns: read state (``●`` and bold for a new invoice), number, sender (received) or customer
(sent), category, invoice date, due date, amount with its currency in the session's locale.
The sort column's header carries ``▲`` / ``▼``; a narrow table leaves out the category and
the due date. The keys act on the screen (``screen.*`` actions) and, being letters, only
while the table has focus.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import Reactive

from backend.db.invoice_list import InvoiceListRow, Side, SortColumn
from backend.domain.errors import N_
from backend.i18n import Translator

from .mark_table import MarkTable
from .safe_text import inert

# In the order of the columns on screen (and of the sort key's cycle).
COLUMNS: tuple[SortColumn, ...] = (
    SortColumn.READ,
    SortColumn.NUMBER,
    SortColumn.COUNTERPART,
    SortColumn.CATEGORY,
    SortColumn.ISSUE_DATE,
    SortColumn.DUE_DATE,
    SortColumn.AMOUNT,
)
NEW = "●"
# Long names and categories are cut, so the amount stays on a 80-column screen more often.
MAX_COUNTERPART = 24
MAX_CATEGORY = 20
MAX_COUNTERPART_NARROW = 14


# Below this many columns of table, the category and due date are left out so that the amount
# still shows (a 80-column terminal leaves the table 54).
WIDE = 70


def column_label(column: SortColumn, side: Side, t: Translator) -> str:
    labels = {
        SortColumn.READ: NEW,
        SortColumn.NUMBER: t("Number"),
        SortColumn.COUNTERPART: t("Sender") if side is Side.RECEIVED else t("Customer"),
        SortColumn.CATEGORY: t("Category"),
        SortColumn.ISSUE_DATE: t("Date"),
        SortColumn.DUE_DATE: t("Due"),
        SortColumn.AMOUNT: t("Amount"),
    }
    return labels[column]


def visible_columns(width: int) -> tuple[SortColumn, ...]:
    if width >= WIDE:
        return COLUMNS
    return tuple(c for c in COLUMNS if c not in (SortColumn.CATEGORY, SortColumn.DUE_DATE))


def _cut(text: str, width: int) -> str:
    text = inert(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def row_values(row: InvoiceListRow, t: Translator, narrow: bool) -> dict[SortColumn, str]:
    """The texts of one invoice's columns; database text made inert."""
    return {
        SortColumn.READ: "" if row.read else NEW,
        SortColumn.NUMBER: inert(row.number),
        SortColumn.COUNTERPART: _cut(
            row.counterpart, MAX_COUNTERPART_NARROW if narrow else MAX_COUNTERPART
        ),
        SortColumn.CATEGORY: _cut(row.category, MAX_CATEGORY),
        SortColumn.ISSUE_DATE: t.date(row.issue_date),
        SortColumn.DUE_DATE: t.date(row.due_date),
        SortColumn.AMOUNT: t.money(row.amount, row.currency),
    }


def _line(texts: list[str], widths: list[int], right: int | None, style: str) -> Text:
    """One line of columns, each after a separating space, padded to its width."""
    parts = []
    for index, (text, width) in enumerate(zip(texts, widths, strict=True)):
        gap = " " * (width - cell_len(text))
        parts.append(" " + (gap + text if index == right else text + gap))
    return Text("".join(parts), style=style, end="", no_wrap=True)


def layout_lines(
    rows: list[InvoiceListRow],
    headers: list[str],
    columns: tuple[SortColumn, ...],
    t: Translator,
) -> tuple[Text, list[tuple[int, Text]]]:
    """The header and one line per invoice, the columns aligned by padding.

    The whole line is one table cell: a DataTable renders each cell on its own, and eight cells
    a row made redrawing a page several times slower (the list redraws on every filter key).
    """
    narrow = len(columns) < len(COLUMNS)
    values = [row_values(row, t, narrow) for row in rows]
    texts = [[v[c] for c in columns] for v in values]
    widths = [
        max([cell_len(headers[i]), *(cell_len(line[i]) for line in texts)])
        for i in range(len(columns))
    ]
    right = columns.index(SortColumn.AMOUNT) if SortColumn.AMOUNT in columns else None
    header = _line(headers, widths, right, "bold")
    lines = [
        (row.id, _line(line, widths, right, "" if row.read else "bold"))
        for row, line in zip(rows, texts, strict=True)
    ]
    return header, lines


class InvoiceListTable(MarkTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "mark_all", N_("Mark all"), show=False),
        Binding("d", "screen.download", N_("Download")),
        Binding("s", "screen.sort_next", N_("Sort")),
        Binding("r", "screen.sort_reverse", N_("Reverse"), show=False),
        Binding("pagedown", "screen.page(1)", N_("Next page"), show=False),
        Binding("pageup", "screen.page(-1)", N_("Previous page"), show=False),
        Binding("ctrl+right", "screen.page(1)", N_("Next page"), show=False),
        Binding("ctrl+left", "screen.page(-1)", N_("Previous page"), show=False),
        Binding("plus", "screen.page_size", N_("Page size"), show=False, key_display="+"),
        Binding("slash", "screen.focus_filters", N_("Filters"), show=False, key_display="/"),
        Binding("i", "screen.import_files", N_("Import"), show=False),
        Binding("enter", "select_cursor", N_("Open"), show=False),
    ]

    # DataTable sets its virtual (scrollable) size after every new page, and Textual makes that a
    # layout of the whole screen. This table's size comes from the screen's CSS, so a new page
    # (of other widths) only needs a repaint and its scrollbars brought up to date, which ask
    # for a layout themselves when one appears or goes.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cell_padding=0, **kwargs)

    def _watch_virtual_size(self, size: Size) -> None:
        if self.styles.auto_dimensions:
            self.refresh(layout=True)  # a size that follows the content (not on this screen)
        else:
            self._scroll_update(size)

    def show_rows(
        self,
        rows: list[InvoiceListRow],
        side: Side,
        sort: SortColumn,
        descending: bool,
        t: Translator,
        width: int,
    ) -> None:
        columns = visible_columns(width)
        headers = []
        for column in columns:
            label = column_label(column, side, t)
            if column is sort:
                label += " ▼" if descending else " ▲"
            headers.append(label)
        header, lines = layout_lines(rows, headers, columns, t)
        self.populate([header], ((key, [line]) for key, line in lines))
