"""Reading the append-only audit trail of a company (written by ``Context.audit``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from ..db.models import AuditEvent, Role, User
from .context import Context, use_case

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class AuditEventView:
    id: int
    at: datetime
    company_id: int
    actor_user_id: int | None
    actor_name: str  # "" for the command line, anonymous callers and removed users
    action: str
    subject: str
    source: str
    detail: Mapping[str, Any]


@use_case(writes=False)
def list_audit_events(
    ctx: Context,
    company_id: int,
    *,
    limit: int = 100,
    before_id: int | None = None,
    action: str | None = None,
) -> list[AuditEventView]:
    """The company's events, newest first (company admins of it, portal admins).

    Paging is by id: pass the last id of a page as ``before_id`` for the next one. At most
    ``MAX_PAGE`` events per call.
    """
    viewer = ctx.require_admin_of(company_id)
    limit = max(1, min(limit, MAX_PAGE))
    query = (
        select(AuditEvent, User.name, User.email, User.company_id)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.company_id == company_id)
    )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(AuditEvent.id.desc()).limit(limit)
    views = []
    for event, name, email, actor_company_id in ctx.session.execute(query):
        source = event.source
        # Support staff and portal admins act on a company from outside it: the company sees
        # who did it, but not from which address.
        outsider = event.actor_user_id is not None and actor_company_id != company_id
        if outsider and viewer.role is not Role.PORTAL_ADMIN:
            source = ""
        views.append(
            AuditEventView(
                event.id,
                event.at,
                company_id,
                event.actor_user_id,
                name or email or "",
                event.action,
                event.subject,
                source,
                MappingProxyType(dict(event.detail or {})),
            )
        )
    return views
