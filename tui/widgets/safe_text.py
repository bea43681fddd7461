"""Text from the database (other companies' names, addresses) made safe to show on a terminal."""

from __future__ import annotations

import re

from textual.content import Content

from backend.domain.errors import DomainError, Label
from backend.i18n import Translator

# C0 and C1 controls, DEL, and the Unicode bidirectional overrides and isolates, which can make
# a name look like something else on screen.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` with every control character replaced by a space (one line, no escapes)."""
    return _CONTROLS.sub(" ", text)


def inert_content(text: str) -> Content:
    """``text`` as plain Textual Content: never parsed as markup, controls removed."""
    return Content(inert(text))


def error_text(t: Translator, error: DomainError) -> str:
    """``t.error(error)`` with every text parameter made inert: an error's parameters often
    come from the database or a file (an invoice number, a link, a file name) and may hold
    controls. The message itself and ``Label`` parameters are our own translated msgids."""
    safe = type(error).__new__(type(error))  # a copy that keeps the class, without __init__
    safe.__dict__.update(vars(error))
    safe.params = {
        name: inert(value) if isinstance(value, str) and not isinstance(value, Label) else value
        for name, value in error.params.items()
    }
    return t.error(safe)
