"""An input for a filter that follows typing: a key repaints the input, not the whole screen.

Textual's ``Input`` sets its ``virtual_size`` (the scrollable width of the text) on every change,
and ``virtual_size`` is a layout reactive: each key laid the whole screen out again (about 16 ms
on the invoices screen). An input whose width comes from CSS (not ``auto``) needs no layout for
that: the virtual size only bounds the horizontal scrolling, which ``render_line`` applies itself,
so here it only repaints. A width ``auto`` input still asks for a layout (``Input`` does so).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive

from .translated import TInput


class FilterInput(TInput):
    """A ``TInput`` (translated placeholder) whose value changes do not lay out the screen."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        # A layout used to bring the scroll offset back within the (now shorter) text, through
        # ScrollView._size_updated; without one, this does it.
        scroll_x = self.validate_scroll_x(self.scroll_x)
        if scroll_x != self.scroll_x:
            self.scroll_target_x = self.scroll_x = scroll_x
