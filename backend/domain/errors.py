"""Errors raised by domain rules, carrying an untranslated message and the field they concern."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction by pybabel without translating it here."""
    return message


class Label(str):
    """A parameter that is itself a msgid (a state or category name): translated with the
    message rather than shown in English."""

    __slots__ = ()


class DomainError(Exception):
    """A broken business rule.

    ``message`` is an English msgid with ``{name}`` placeholders filled from ``params`` after
    translation; ``field`` names the input it is about (e.g. ``"buyer.vat_number"``) so a screen
    can put the cursor there.
    """

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        self.message = message
        self.field = field
        self.params: Mapping[str, Any] = params
        super().__init__(self.render(lambda s: s))

    def render(self, gettext: Callable[[str], str]) -> str:
        """The message in a language: ``gettext`` is the session translator's."""
        text = gettext(self.message)
        if not self.params:
            return text
        params = {k: gettext(v) if isinstance(v, Label) else v for k, v in self.params.items()}
        return text.format(**params)


class ValidationError(DomainError):
    """Input that does not satisfy a rule (bad identifier, missing required field, ...)."""


class TransitionError(DomainError):
    """A state change that the state machine does not allow."""
