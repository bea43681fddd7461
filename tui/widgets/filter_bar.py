"""The invoice list's filter bar: read status, invoice number, invoice date from / to, category.

Every change posts ``FilterBar.Changed`` at once (the screen coalesces the queries, so typing
never waits; the text fields are ``FilterInput``s, which a key only repaints). ``filters(t)``
reads the fields: dates are ISO (``2026-11-02``) or the session locale's short form
(``2-11-2026`` in Dutch); an unreadable date is a ``ValidationError`` that names its field,
shown under the bar with ``show_error``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import parse_date
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Input, Select

from backend.db.invoice_list import ReadFilter
from backend.domain.errors import N_, DomainError, Label, ValidationError
from backend.i18n import Translator

from .filter_input import FilterInput
from .translated import FieldError, TLabel, TSelect

READ_CHOICES = (
    (N_("All"), ReadFilter.ALL),
    (N_("Unread"), ReadFilter.UNREAD),
    (N_("Read"), ReadFilter.READ),
)
# The query field each input filters on (DomainError.field of the list's checks).
FIELDS = {
    "filter-number": "number_prefix",
    "filter-category": "category_prefix",
    "filter-from": "issued_from",
    "filter-to": "issued_to",
}
DATE_LABELS = {"issued_from": N_("Date from"), "issued_to": N_("Date to")}
_ISO = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_THREE_NUMBERS = re.compile(r"\d{1,4}\D\d{1,2}\D\d{1,4}")
# Control characters (a pasted NUL, an escape) mean nothing in a filter, and PostgreSQL refuses
# a NUL in a text parameter.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class ListFilters:
    read: ReadFilter = ReadFilter.ALL
    number_prefix: str = ""
    category_prefix: str = ""
    issued_from: date | None = None
    issued_to: date | None = None


def parse_filter_date(text: str, field: str, t: Translator) -> date | None:
    """``text`` as a date (empty: no date): ISO, or the locale's short date."""
    value = text.strip()
    if not value:
        return None
    try:
        if _ISO.fullmatch(value):
            year, month, day = (int(part) for part in value.split("-"))
            return date(year, month, day)
        if _THREE_NUMBERS.fullmatch(value):
            parsed = parse_date(value, locale=t.locale)
            if 1900 <= parsed.year <= 9999:
                return parsed
    except (ValueError, IndexError):
        pass
    raise ValidationError(
        N_("{label}: enter a date like {example}."),
        field=field,
        label=Label(DATE_LABELS[field]),
        example="2026-11-02",
    )


class FilterBar(Vertical):
    """The fields in a grid of two label-field pairs per line, and the error line under them."""

    class Changed(Message):
        """A field changed; read them with ``FilterBar.filters``."""

        def __init__(self, bar: FilterBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error: DomainError | None = None

    def compose(self) -> ComposeResult:
        with Grid(id="filter-grid"):
            yield TLabel(N_("Status"), classes="filter-label")
            yield TSelect(
                READ_CHOICES,
                value=ReadFilter.ALL,
                allow_blank=False,
                compact=True,
                id="filter-read",
            )
            yield TLabel(N_("Number"), classes="filter-label")
            yield FilterInput(id="filter-number", compact=True, max_length=50)
            yield TLabel(N_("Date from"), classes="filter-label")
            yield FilterInput(
                placeholder_msg=N_("YYYY-MM-DD"), id="filter-from", compact=True, max_length=10
            )
            yield TLabel(N_("Date to"), classes="filter-label")
            yield FilterInput(
                placeholder_msg=N_("YYYY-MM-DD"), id="filter-to", compact=True, max_length=10
            )
            yield TLabel(N_("Category"), classes="filter-label")
            yield FilterInput(id="filter-category", compact=True, max_length=100)
        yield FieldError(id="filter-error")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def _text(self, input_id: str) -> str:
        return _CONTROLS.sub("", self.query_one(f"#{input_id}", Input).value)

    def filters(self, t: Translator) -> ListFilters:
        """What the fields say; ``ValidationError`` (with the field) for an unreadable date."""
        read = self.query_one("#filter-read", Select).value
        return ListFilters(
            read=read if isinstance(read, ReadFilter) else ReadFilter.ALL,
            number_prefix=self._text("filter-number").strip(),
            category_prefix=self._text("filter-category").strip(),
            issued_from=parse_filter_date(self._text("filter-from"), "issued_from", t),
            issued_to=parse_filter_date(self._text("filter-to"), "issued_to", t),
        )

    def show_error(self, error: DomainError | None) -> None:
        """Show ``error`` under the bar (None clears it) and mark the field it is about."""
        if error is None and self.error is None:
            return  # the usual case on every key: nothing to lay out again
        self.error = error
        self.query_one("#filter-error", FieldError).show(error)
        for input_id, field in FIELDS.items():
            self.query_one(f"#{input_id}").set_class(
                error is not None and error.field == field, "-invalid"
            )

    def focus_first(self) -> None:
        self.query_one("#filter-number", Input).focus()
