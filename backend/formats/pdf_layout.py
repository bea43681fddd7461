"""A small page-layout engine for the invoice PDF: measured text, wrapping, boxes and pages.

Layout is pure computation: it produces pages of drawing operations (``Text``, ``Rule``,
``Band``) in millimetres from the top-left corner, measured with the embedded font's metrics.
``pdf.py`` draws them with fpdf2; the benchmark draws the very same operations with reportlab.
Laying out first means the page count is known before anything is drawn ("Page 1 of 3").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from . import fonts

PAGE_WIDTH = 210.0  # A4, mm
PAGE_HEIGHT = 297.0
LEFT = 15.0
RIGHT = PAGE_WIDTH - 15.0
TOP = 15.0
BOTTOM = PAGE_HEIGHT - 20.0  # content ends here; the footer sits below
PT = 25.4 / 72  # one point in mm
LEADING = 1.3  # line height as a multiple of the font size


class Text(NamedTuple):
    x: float
    y: float  # baseline
    text: str
    size: float  # points
    bold: bool = False
    muted: bool = False


class Rule(NamedTuple):
    """A thin horizontal line."""

    x1: float
    x2: float
    y: float


class Band(NamedTuple):
    """A light filled rectangle (table headers)."""

    x: float
    y: float
    w: float
    h: float


Op = Text | Rule | Band


def line_height(size: float) -> float:
    return size * PT * LEADING


def width(text: str, size: float, bold: bool = False) -> float:
    """The printed width of ``text`` in mm."""
    return fonts.face(fonts.BOLD if bold else fonts.REGULAR).string_width(text, size) * PT


def wrap(text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``max_width`` mm, at spaces where possible;
    newlines in ``text`` start new lines."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if width(paragraph, size, bold) <= max_width:
            lines.append(paragraph)
            continue
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if width(candidate, size, bold) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while width(current, size, bold) > max_width:  # a word wider than the column
                cut = _fitting_prefix(current, size, max_width, bold)
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


def fit(text: str, size: float, max_width: float, bold: bool = False) -> str:
    """``text`` cut short with an ellipsis if wider than ``max_width`` mm."""
    if width(text, size, bold) <= max_width:
        return text
    cut = _fitting_prefix(text, size, max_width - width("…", size, bold), bold)
    return text[:cut] + "…"


def _fitting_prefix(word: str, size: float, max_width: float, bold: bool) -> int:
    widths = fonts.face(fonts.BOLD if bold else fonts.REGULAR).widths
    limit = max_width / PT * 1000 / size
    total = 0.0
    for index, char in enumerate(word):
        total += widths[ord(char)]
        if total > limit:
            return max(index, 1)
    return len(word)


class Box:
    """Operations laid out from y = 0 downwards, placed on a page later as one block."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self.height = 0.0

    def text(
        self,
        x: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        muted: bool = False,
        align_right: bool = False,
    ) -> None:
        """One line at ``x`` (its right edge when ``align_right``) below what is there."""
        self.height += line_height(size)
        if align_right:
            x -= width(text, size, bold)
        self.ops.append(Text(x, self.height - size * PT * 0.3, text, size, bold, muted))

    def lines(
        self, x: float, text: str, size: float, max_width: float, *, bold: bool = False,
        muted: bool = False,
    ) -> None:  # fmt: skip
        for line in wrap(text, size, max_width, bold):
            self.text(x, line, size, bold=bold, muted=muted)

    def gap(self, height: float) -> None:
        self.height += height


class Sheet:
    """Pages being filled from top to bottom, with a running ``y``."""

    def __init__(self) -> None:
        self.pages: list[list[Op]] = [[]]
        self.y = TOP
        self.on_new_page: list[Op] | None = None  # e.g. a table header, repeated

    @property
    def ops(self) -> list[Op]:
        return self.pages[-1]

    def room(self) -> float:
        return BOTTOM - self.y

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit (a taller block starts on a fresh page)."""
        if height > self.room() and self.y > TOP:
            self.new_page()

    def place(self, boxes: Iterable[Box], gap: float = 0.0) -> None:
        """Put boxes side by side at ``y`` (on a new page if they do not fit) and move below."""
        boxes = list(boxes)
        height = max((box.height for box in boxes), default=0.0)
        self.ensure(height)
        for box in boxes:
            self.ops.extend(_moved(op, self.y) for op in box.ops)
        self.y += height + gap

    def add(self, op: Op) -> None:
        self.ops.append(op)


def _moved(op: Op, dy: float) -> Op:
    return op._replace(y=op.y + dy)
