"""Text from the database (other companies' names, addresses) made safe to show on a terminal."""

from __future__ import annotations

import re

from textual.content import Content

# C0 and C1 controls, DEL, and the Unicode bidirectional overrides and isolates, which can make
# a name look like something else on screen.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` with every control character replaced by a space (one line, no escapes)."""
    return _CONTROLS.sub(" ", text)


def inert_content(text: str) -> Content:
    """``text`` as plain Textual Content: never parsed as markup, controls removed."""
    return Content(inert(text))
