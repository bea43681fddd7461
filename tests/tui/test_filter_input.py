"""The filter input: typing, cursor keys, long values scrolling inside it and paste behave as in
Textual's own Input, but a key repaints the input without laying out the screen; on the invoices
screen the list follows the typing with no layout per key, and the table's scrollbar still comes
and goes with the number of rows."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from backend.i18n import translator
from backend.services.context import Portal
from tests.services.conftest import World
from tui.widgets.filter_bar import FilterBar
from tui.widgets.filter_input import FilterInput
from tui.widgets.invoice_list_table import InvoiceListTable

from .conftest import AppFactory
from .helpers import screen_text, settle, type_text
from .test_invoices_screen import fill_inbox, open_invoices, shown_numbers, status_line

WIDTH = 12
LONG = "abcdefghijklmnopqrstuvwxyz0123"  # far wider than the inputs


class TwoInputs(App[None]):
    """A stock Input above a FilterInput of the same width, to compare what they do."""

    CSS = f"Input {{ width: {WIDTH}; }}"

    def __init__(self) -> None:
        super().__init__()
        self.t = translator("en")

    def compose(self) -> ComposeResult:
        yield Input(id="stock", compact=True)
        yield FilterInput(id="filter", compact=True)


def state(widget: Input) -> tuple[str, int, int, str]:
    """What the input holds and shows: value, cursor, horizontal scroll, the visible line."""
    return widget.value, widget.cursor_position, round(widget.scroll_x), widget.render_line(0).text


def count_layouts(screen: Screen) -> list[object]:
    """A list that gets an entry each time ``screen`` is laid out."""
    layouts: list[object] = []
    screen.screen_layout_refresh_signal.subscribe(screen, layouts.append, immediate=True)
    return layouts


KEYS = [
    *LONG,  # typed past the right edge: the text scrolls
    *["left", "left", "delete", "delete"],  # shorter while scrolled to the end: scrolls back
    *["left"] * 14,  # the cursor walks back past the left edge: scrolls back
    "backspace",
    "backspace",
    *["shift+left"] * 3,  # a selection, deleted as one
    "backspace",
    "home",
    "x",
    "end",
    "right",
    *["backspace"] * 25,  # shorter than the input again: no scroll left
    "home",
    "delete",
    "end",
]


async def follow(pilot: Pilot, widget: Input) -> list[tuple[str, int, int, str]]:
    widget.focus()
    await pilot.pause()
    seen = []
    for key in KEYS:
        await pilot.press(key)
        await pilot.pause()
        seen.append(state(widget))
    return seen


async def test_keys_do_in_the_filter_input_what_they_do_in_a_stock_input() -> None:
    app = TwoInputs()
    async with app.run_test(size=(40, 6)) as pilot:
        stock = app.query_one("#stock", Input)
        mine = app.query_one("#filter", FilterInput)
        expected = await follow(pilot, stock)
        seen = await follow(pilot, mine)
        for key, want, got in zip(KEYS, expected, seen, strict=True):
            assert got == want, key
        # The comparison covers scrolling: the long value was scrolled to its end, then back.
        typed = seen[len(LONG) - 1]
        assert typed[0] == LONG and typed[2] > 0 and typed[3].startswith(LONG[typed[2] :])
        assert seen[len(LONG) + 3][2] == typed[2] - 2
        assert seen[len(LONG) + 17][2] < typed[2] - 2
        assert seen[len(LONG) + 23][0] == LONG[:9] + LONG[14:-2]
        assert seen[-1][2] == 0


async def test_a_key_in_the_filter_input_repaints_it_without_a_layout() -> None:
    app = TwoInputs()
    async with app.run_test(size=(40, 6)) as pilot:
        mine = app.query_one("#filter", FilterInput)
        mine.focus()
        await pilot.pause()
        layouts = count_layouts(app.screen)
        await type_text(pilot, LONG)
        await pilot.press("home", "right", "backspace")
        await pilot.pause()
        assert layouts == []
        assert mine.value == LONG[1:]
        assert mine.scroll_x == 0 and mine.render_line(0).text.startswith(LONG[1:WIDTH])
        # The stock input lays the screen out on every change (why this widget exists).
        app.query_one("#stock", Input).focus()
        await pilot.pause()
        await type_text(pilot, "abc")
        await pilot.pause()
        assert layouts


async def test_paste_into_the_filter_input_as_into_a_stock_input() -> None:
    app = TwoInputs()
    async with app.run_test(size=(40, 6)) as pilot:
        seen = []
        for input_id in ("#stock", "#filter"):
            widget = app.query_one(input_id, Input)
            widget.focus()
            await pilot.press("a")
            widget.post_message(events.Paste(LONG))
            await pilot.pause()
            seen.append(state(widget))
        assert seen[1] == seen[0]
        value, cursor, scroll, line = seen[1]
        assert (value, cursor) == ("a" + LONG, len(LONG) + 1)
        assert scroll > 0 and line.rstrip().endswith(LONG[-(WIDTH - 1) :])
        await pilot.press("home", "ctrl+k")  # to the start, delete all to the right
        await pilot.pause()
        assert state(app.query_one("#filter", Input))[:3] == ("", 0, 0)


async def test_the_list_follows_typing_in_the_number_filter_without_layouts(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        number = screen.query_one("#filter-number", FilterInput)
        assert all(isinstance(i, FilterInput) for i in screen.query_one(FilterBar).query(Input))
        number.focus()
        await settle(pilot)
        layouts = count_layouts(screen)
        for typed, expected in (("F", 30), ("-", 30), ("0", 30), ("1", 10), ("2", 1)):
            await type_text(pilot, typed)
            await settle(pilot)
            assert f"of {expected}" in status_line(screen)
        assert shown_numbers(screen) == ["F-012"]
        assert layouts == []

        # A value longer than the input scrolls inside it; nothing matches it.
        await type_text(pilot, "9" * 45)
        await settle(pilot)
        assert number.value == "F-012" + "9" * 45
        assert number.scroll_x > 0
        assert "No invoices match." in status_line(screen)
        assert shown_numbers(screen) == []
        # Back to "F-01" and the list with it; the input scrolls back to the start.
        for _ in range(46):
            await pilot.press("backspace")
        await settle(pilot)
        assert (number.value, number.scroll_x) == ("F-01", 0)
        assert sorted(shown_numbers(screen)) == [f"F-01{d}" for d in range(10)]
        assert inbox.numbers[10] in shown_numbers(screen)


async def test_the_table_scrollbars_follow_the_number_of_rows(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_invoices(pilot)
        table = screen.query_one(InvoiceListTable)
        assert table.row_count == 25 and table.show_vertical_scrollbar
        screen.query_one("#filter-number", FilterInput).focus()
        await type_text(pilot, "F-012")
        await settle(pilot)
        assert shown_numbers(screen) == ["F-012"]
        assert not table.show_vertical_scrollbar
        assert "F-012" in screen_text(app)
        for _ in range(5):
            await pilot.press("backspace")
        await settle(pilot)
        assert table.row_count == 25 and table.show_vertical_scrollbar
        # The list scrolls to its last row (the 25th newest) and back to the first.
        last, first = inbox.numbers[-25], inbox.numbers[-1]
        await pilot.press("escape", "ctrl+end")
        await pilot.wait_for_animation()
        await settle(pilot)
        assert table.scroll_y == table.max_scroll_y > 0
        assert last in screen_text(app) and first not in screen_text(app)
        await pilot.press("ctrl+home")
        await pilot.wait_for_animation()
        await settle(pilot)
        assert table.scroll_y == 0 and first in screen_text(app)
