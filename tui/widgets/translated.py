"""Widgets that remember their message ids and re-render when the session's language changes.

A text is given as a ``Msg``: a msgid marked with ``N_`` (``N_("Name")``), or a function of the
translator for text with values in it (``lambda t: t("Welcome, {name}", name=inert(name))``).
The app calls ``translate(t)`` on every ``Translatable`` of every screen when the language
changes, and each widget does it once itself when mounted. Everything is shown as plain
``Content``: nothing here is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from textual.content import Content
from textual.widgets import Button, Checkbox, Input, RadioButton, Select, Static

from backend.domain.errors import DomainError
from backend.i18n import Translator

from .safe_text import error_text

Msg = str | Callable[[Translator], str]
V = TypeVar("V")


def render(msg: Msg, t: Translator) -> str:
    """The text of ``msg`` in ``t``'s language ("" stays "": gettext("") is the header)."""
    if callable(msg):
        return msg(t)
    return t(msg) if msg else ""


class Translatable:
    """Mixed into widgets and screens that show translated text."""

    def translate(self, t: Translator) -> None:
        raise NotImplementedError


def _session_translator(widget: Any) -> Translator:
    return widget.app.t


class TLabel(Static, Translatable):
    """A line (or block) of translated text."""

    def __init__(self, msg: Msg, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.msg = msg

    def set_msg(self, msg: Msg) -> None:
        self.msg = msg
        if self.is_mounted:
            self.translate(_session_translator(self))

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        self.update(Content(render(self.msg, t)))


class FieldError(Static, Translatable):
    """The message of the error about one field, shown next to it (empty when there is none)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.error: DomainError | None = None

    def show(self, error: DomainError | None) -> None:
        self.error = error
        self.set_class(error is not None, "-shown")
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        self.update(Content("" if self.error is None else error_text(t, self.error)))


class TButton(Button, Translatable):
    def __init__(self, msg: Msg, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.msg = msg

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        self.label = Content(render(self.msg, t))
        self.refresh(layout=True)  # a label of another length needs another width


class TInput(Input, Translatable):
    """An input whose placeholder is translated; what was typed is never touched."""

    def __init__(self, *, placeholder_msg: Msg | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.placeholder_msg = placeholder_msg

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        if self.placeholder_msg is not None:
            self.placeholder = render(self.placeholder_msg, t)


class TCheckbox(Checkbox, Translatable):
    def __init__(self, msg: Msg, value: bool = False, **kwargs: Any) -> None:
        super().__init__("", value, **kwargs)
        self.msg = msg

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        self.label = Content(render(self.msg, t))


class TRadioButton(RadioButton, Translatable):
    def __init__(self, msg: Msg, value: bool = False, **kwargs: Any) -> None:
        super().__init__("", value, **kwargs)
        self.msg = msg

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        self.label = Content(render(self.msg, t))


class TSelect(Select[V], Translatable, Generic[V]):
    """A drop-down whose option texts are translated; the chosen value is kept."""

    def __init__(self, options: Iterable[tuple[Msg, V]], **kwargs: Any) -> None:
        self.msgs = list(options)
        # Select may settle on its first option before the first translate: keep the asked one.
        self._initial = kwargs.get("value", Select.BLANK)
        super().__init__([(str(value), value) for _msg, value in self.msgs], **kwargs)

    def on_mount(self) -> None:
        self.translate(_session_translator(self))

    def translate(self, t: Translator) -> None:
        value = self.value
        if self._initial is not Select.BLANK:
            value, self._initial = self._initial, Select.BLANK
        with self.prevent(Select.Changed):
            self.set_options([(Content(render(msg, t)), v) for msg, v in self.msgs])
            if any(value == v for _msg, v in self.msgs):
                self.value = value
                # Select redraws its label only when the value changes: here it may not have.
                self.mutate_reactive(Select.value)
