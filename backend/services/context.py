"""The portal, the acting user, and the ``use_case`` decorator that every service goes through.

A use case is called as ``f(portal, actor, ...)``. The decorator opens one transaction, reloads
the acting user from the database (so a deactivated user is refused at once, whatever a long-lived
session still holds), refuses anonymous callers unless the use case is public, and hands the body
a ``Context`` with the session and the checks (``require_company``, ``require_role``, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import Settings
from ..db.engine import make_engine, make_session_factory
from ..db.models import AuditEvent, Company, Role, User
from ..db.models.accounts import CompanyStatus
from ..db.types import utcnow
from .errors import NotFound, PermissionDenied

P = ParamSpec("P")
R = TypeVar("R")

USE_CASES: dict[str, Callable[..., Any]] = {}

STAFF_ROLES = frozenset({Role.SUPPORT, Role.PORTAL_ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a logged-in user, the operator's command line, or nobody yet."""

    user_id: int | None
    source: str = ""  # e.g. the client address, for the audit trail
    # The operator's command line. A flag of its own, so no user id (not even one a front end
    # got wrong) can ever stand for it.
    is_system: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.is_system

    @classmethod
    def anonymous(cls, source: str = "") -> Actor:
        return cls(None, source)

    @classmethod
    def user(cls, user_id: int, source: str = "") -> Actor:
        return cls(user_id, source)


# The operator at the command line (`invoice-portal user add ...`): acts as a portal admin.
SYSTEM = Actor(user_id=None, source="cli", is_system=True)


@dataclass
class Portal:
    """What every use case needs from outside: the database, settings, a clock, hashing."""

    engine: Engine
    settings: Settings
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)
    clock: Callable[[], datetime] = utcnow
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = make_session_factory(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Portal:
        return cls(make_engine(settings.database_url), settings)

    @contextmanager
    def transaction(self, *, writes: bool) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            if writes and self.engine.dialect.name == "sqlite":
                # Take the write lock up front: a deferred transaction that reads and then
                # writes can fail with SQLITE_BUSY without waiting when another writer won.
                session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
            yield session


@dataclass
class Context:
    """What a use case body gets: the session, the acting user (None if anonymous), the portal."""

    portal: Portal
    session: Session
    actor: Actor
    user: User | None

    @property
    def now(self) -> datetime:
        return self.portal.clock()

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.role in STAFF_ROLES

    def require_user(self) -> User:
        if self.user is None:
            raise PermissionDenied()
        return self.user

    def require_company(self, company_id: int | None) -> User:
        """The acting user, if they belong to ``company_id``. Others learn nothing: NotFound."""
        user = self.require_user()
        if company_id is None or user.company_id != company_id:
            raise NotFound()
        return user

    def own_company_id(self) -> int:
        """The acting user's company (the command line's SYSTEM user has none: NotFound)."""
        return self.require_company(self.require_user().company_id).company_id

    def require_role(self, *roles: Role) -> User:
        user = self.require_user()
        if user.role not in roles:
            raise PermissionDenied()
        return user

    def require_admin_of(self, company_id: int) -> User:
        """A company admin of ``company_id`` (or a portal admin)."""
        user = self.require_user()
        if user.role is Role.PORTAL_ADMIN:
            return user
        self.require_company(company_id)
        if user.role is not Role.COMPANY_ADMIN:
            raise PermissionDenied()
        return user

    def audit(
        self, action: str, subject: str = "", *, company_id: int | None = None, **detail: Any
    ) -> None:
        self.session.add(
            AuditEvent(
                at=self.now,
                actor_user_id=self.user.id if self.user is not None else None,
                company_id=company_id
                if company_id is not None
                else getattr(self.user, "company_id", None),
                action=action,
                subject=subject,
                source=self.actor.source[:64],
                detail=detail,
            )
        )


def _load_actor(session: Session, actor: Actor) -> User | None:
    if actor.is_system:
        # Never added to the session: a stand-in with a portal admin's role and no company.
        return User(id=None, company_id=None, role=Role.PORTAL_ADMIN, email="cli", active=True)
    if actor.user_id is None:
        return None
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDenied()
    company = session.get(Company, user.company_id)
    if company is None or company.status is CompanyStatus.SUSPENDED:
        raise PermissionDenied()
    return user


def use_case(
    *, public: bool = False, writes: bool = True
) -> Callable[[Callable[Concatenate[Context, P], R]], Callable[Concatenate[Portal, Actor, P], R]]:
    """Make ``f(ctx, ...)`` the service ``f(portal, actor, ...)``.

    ``public``: callable without logging in (log in, register, password reset). Everything else
    refuses an anonymous actor before the body runs.
    """

    def decorate(
        body: Callable[Concatenate[Context, P], R],
    ) -> Callable[Concatenate[Portal, Actor, P], R]:
        @functools.wraps(body)
        def service(portal: Portal, actor: Actor, /, *args: P.args, **kwargs: P.kwargs) -> R:
            if not isinstance(actor, Actor):
                raise TypeError("the second argument of a use case is the acting Actor")
            if actor.is_anonymous and not public:
                raise PermissionDenied()
            with portal.transaction(writes=writes) as session:
                user = _load_actor(session, actor)
                return body(Context(portal, session, actor, user), *args, **kwargs)

        service.__use_case__ = {"public": public, "writes": writes}  # type: ignore[attr-defined]
        USE_CASES[f"{body.__module__}.{body.__qualname__}"] = service
        return service

    return decorate
