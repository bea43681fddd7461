"""Loading the demo data into an empty database in one transaction, and asking whether it is
there already."""

from __future__ import annotations

import logging
import random
import time as time_

from sqlalchemy import func, select, text, update

from ..db.models import Company, User
from ..domain.errors import N_, DomainError
from ..services.context import Portal
from .bulk_insert import bulk_load_settings
from .bulk_invoices import add_bulk_invoices
from .curated import CURATED, add_curated_invoice
from .logins import DEMO_LOGINS, DemoLogin
from .templates import add_templates
from .world import World, add_companies, add_links, add_users

log = logging.getLogger(__name__)


class DemoDataRefused(DomainError):
    """The database already holds demo data, or other data that demo logins must not join."""


_ANALYSED = ("companies", "users", "customers", "invoices", "invoice_lines", "delivery_events")


def has_demo_data(portal: Portal) -> bool:
    """Whether the demo logins exist (the command line's ``--once`` asks this first)."""
    emails = [login.email for login in DEMO_LOGINS]
    with portal.sessions() as session:
        return session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def load_demo_data(portal: Portal, *, invoices: int = 200, seed: int = 1) -> list[DemoLogin]:
    """Fill an empty, migrated database with the demo world and ``invoices`` invoices in total.

    Refused (``DemoDataRefused``) when the demo data is there already or the database holds any
    company: demo logins with a published password must never join real data. The same seed
    and clock give the same data.
    """
    if invoices < 0:
        raise ValueError("invoices must not be negative")
    if has_demo_data(portal):
        raise DemoDataRefused(N_("The demo data is loaded already."))
    with portal.transaction(writes=True) as session:
        if session.scalar(select(func.count()).select_from(Company)):
            raise DemoDataRefused(N_("Demo data goes into an empty database only."))
        world = World(now=portal.clock(), rng=random.Random(seed))  # noqa: S311
        add_companies(session, world)
        add_users(session, world, portal)
        add_links(session, world)
        add_templates(session, world)
        curated = CURATED[: min(invoices, len(CURATED))]
        with bulk_load_settings(session.connection(), invoices):
            add_bulk_invoices(session, world, invoices - len(curated))
            for spec in curated:
                add_curated_invoice(session, world, spec)
            for company_id, value in world.next_number.items():
                session.execute(
                    update(Company)
                    .where(Company.id == company_id)
                    .values(next_invoice_number=value)
                )
            session.flush()
            if portal.engine.dialect.name == "postgresql":
                # What autovacuum would do shortly; named tables, as a bare ANALYZE goes through
                # every schema of the database. Not on SQLite: the portal never runs ANALYZE
                # there, so its planner should see the demo data as it sees real data.
                session.execute(text(f"ANALYZE {', '.join(_ANALYSED)}"))
        started = time_.perf_counter()
    log.info("committed in %.1f s", time_.perf_counter() - started)
    _truncate_wal(portal)
    return list(DEMO_LOGINS)


def _truncate_wal(portal: Portal) -> None:
    """Give back the disk space of the write-ahead log, which held the whole load."""
    if portal.engine.dialect.name != "sqlite":
        return
    # Outside any transaction, which SQLAlchemy would open on its own connection.
    raw = portal.engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
