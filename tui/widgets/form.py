"""Form rows (label, control, the error about it) and finding the row an error is about."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from backend.domain.errors import DomainError

from .translated import FieldError, Msg, TLabel


class FormField(Vertical):
    """One labelled control; ``field`` is the name DomainErrors use for it (``error.field``)."""

    def __init__(self, field: str, label: Msg, control: Widget, *, hint: Msg | None = None):
        super().__init__(classes="form-field")
        self.field = field
        self.label = label
        self.control = control
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield TLabel(self.label, classes="form-label")
            yield self.control
        if self.hint is not None:
            yield TLabel(self.hint, classes="form-hint")
        yield FieldError(classes="form-error")

    def show_error(self, error: DomainError | None) -> None:
        self.query_one(FieldError).show(error)


def fields_of(root: Widget) -> Iterable[FormField]:
    return root.query(FormField)


def clear_errors(root: Widget) -> None:
    for field in fields_of(root):
        field.show_error(None)


def show_error(root: Widget, error: DomainError) -> FormField | None:
    """Show ``error`` next to its field under ``root`` and focus the field; None if no field
    there has that name."""
    for field in fields_of(root):
        if field.field == error.field:
            field.show_error(error)
            if field.control.focusable:
                field.control.focus()
            return field
    return None
