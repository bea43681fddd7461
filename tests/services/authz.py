"""What the authorization harness needs to know about each use case.

Every public use case must have an ``AuthzCase`` (the harness fails otherwise). ``setup`` makes
something that belongs to Acme and returns the arguments that act on it; the harness then calls
the use case as an anonymous user and as Bakker's admin (both must be refused), and finally as
the owner (which must not be refused, proving the refusals came from the check and not from
bad arguments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend.services.context import Portal

from .conftest import World

Args = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class AuthzCase:
    setup: Callable[[Portal, World], Args] = lambda portal, world: ((), {})
    # Who may do it: an attribute of World, or "system" for the command line's SYSTEM actor.
    owner: str = "acme_admin"
    # Acts only on the caller's own things (profile, own keys, the shared member directory):
    # nothing of another company to refuse, so only the anonymous refusal is checked.
    self_scoped: bool = False
    # Callable without logging in (log in, register, reset): no refusal to check at all.
    public: bool = False
    exceptions_ok: tuple[type[BaseException], ...] = field(default_factory=tuple)


def args(*a: Any, **kw: Any) -> Args:
    return a, kw
