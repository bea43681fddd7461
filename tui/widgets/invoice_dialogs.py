"""Overlays the invoice form and the templates screen ask with: pick one of a list, type a
name, confirm. Each returns its answer through ``dismiss`` (None when closed with Escape)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Input, OptionList
from textual.widgets.option_list import Option

from backend.domain.errors import N_, DomainError
from backend.i18n import Translator

from ..screens.base import PortalModal
from .translated import FieldError, Msg, TButton, TInput, TLabel, render


class ChoiceOverlay(PortalModal):
    """A titled list; Enter picks the highlighted entry and returns its value."""

    def __init__(self, title: Msg, options: Sequence[tuple[str, Msg]], *, empty: Msg = "") -> None:
        super().__init__()
        self.title_msg = title
        self.options = list(options)
        self.empty = empty

    def compose_body(self) -> ComposeResult:
        yield TLabel(self.title_msg, classes="overlay-title")
        if self.options:
            yield OptionList(id="choices")
        else:
            yield TLabel(self.empty, id="no-choices")
        yield TLabel(N_("Enter chooses, Escape closes."), classes="overlay-hint")

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]
        if self.options:
            self.query_one("#choices", OptionList).focus()

    def translate(self, t: Translator) -> None:
        if not self.options:
            return
        choices = self.query_one("#choices", OptionList)
        highlighted = choices.highlighted
        choices.clear_options()
        choices.add_options(
            [Option(Content(render(label, t)), id=value) for value, label in self.options]
        )
        choices.highlighted = highlighted if highlighted is not None else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class NameOverlay(PortalModal):
    """Type a name (of a template); Enter returns it. A refused name shows why and stays."""

    def __init__(self, title: Msg, value: str = "") -> None:
        super().__init__()
        self.title_msg = title
        self.value = value

    def compose_body(self) -> ComposeResult:
        yield TLabel(self.title_msg, classes="overlay-title")
        yield TInput(value=self.value, id="name", compact=True)
        yield FieldError(id="form-error")
        yield TLabel(N_("Enter saves, Escape closes."), classes="overlay-hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def show_error(self, error: DomainError) -> None:
        self.query_one("#form-error", FieldError).show(error)


class ConfirmOverlay(PortalModal):
    """A question with Yes and No; returns True for yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Yes"), show=False),
        Binding("n", "answer(False)", N_("No"), show=False),
    ]

    def __init__(self, question: Msg) -> None:
        super().__init__()
        self.question = question

    def compose_body(self) -> ComposeResult:
        yield TLabel(self.question, classes="overlay-title")
        with Horizontal(classes="buttons"):
            yield TButton(N_("Yes"), id="yes", variant="error", compact=True)
            yield TButton(N_("No"), id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def data_label(text: str) -> Any:
    """An option label that is data (a name from the database): never translated."""
    return lambda _t: text
