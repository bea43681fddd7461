"""Errors raised by use cases; all are DomainErrors so screens translate them the same way."""

from __future__ import annotations

from ..domain.errors import N_, DomainError


class PermissionDenied(DomainError):
    """The acting user may not do this (wrong company, role or permission, or not logged in)."""

    def __init__(self, message: str = N_("You do not have permission to do this."), **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]


class NotFound(DomainError):
    """Nothing by that id that the acting user may see. Also used for other companies' data, so
    that ids of other companies cannot be probed."""

    def __init__(self, message: str = N_("Not found."), **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]


class AuthenticationFailed(DomainError):
    def __init__(self, message: str = N_("Wrong login or password."), **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate, a limit reached, a stale edit)."""
