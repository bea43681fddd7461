"""The use-case plumbing: who counts as the operator, and SQLite write transactions."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from backend.db.models.accounts import MembershipLevel
from backend.services import companies
from backend.services.context import SYSTEM, Actor, Portal
from backend.services.errors import PermissionDenied

from .conftest import World


def test_no_user_id_stands_for_the_command_line(portal: Portal, world: World) -> None:
    companies.set_membership_level(
        portal, SYSTEM, world.acme_admin.company_id, MembershipLevel.FREE
    )
    for forged in (Actor.user(0, "cli"), Actor(None, "cli")):
        with pytest.raises(PermissionDenied):
            companies.set_membership_level(
                portal, forged, world.acme_admin.company_id, MembershipLevel.PREMIUM
            )


def test_writing_transactions_take_the_sqlite_write_lock_first(portal: Portal) -> None:
    if portal.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has row locks; this is about SQLite's deferred BEGIN")
    begins: list[str] = []
    event.listen(
        portal.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: (
            begins.append(statement) if statement.startswith("BEGIN") else None
        ),
    )
    with portal.transaction(writes=True) as session:
        session.execute(text("SELECT 1"))
    with portal.transaction(writes=False) as session:
        session.execute(text("SELECT 1"))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]
