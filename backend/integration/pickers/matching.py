"""The file name pattern every picker applies (fnmatch, without case)."""

from __future__ import annotations

import fnmatch


def matches(name: str, pattern: str) -> bool:
    """Whether ``name`` matches ``pattern`` regardless of case; an empty pattern takes all."""
    pattern = pattern.strip()
    if not pattern:
        return True
    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())
