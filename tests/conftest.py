"""Database fixtures: every test that asks for ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``PORTAL_TEST_POSTGRES_URL`` is set; if it is set and the server cannot be
reached the tests fail, never skip. Each test session gets its own PostgreSQL schema, migrated
once; each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend.db.engine import make_engine
from backend.db.migrate import upgrade
from backend.db.models import Base

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("PORTAL_TEST_POSTGRES_URL is not set")
    schema = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the variable is set: an unreachable server is a failure
        pytest.fail(f"PostgreSQL at PORTAL_TEST_POSTGRES_URL is not reachable: {exc}")
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _truncate_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path / "portal.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
    else:
        postgres = request.getfixturevalue("postgres_engine")
        _truncate_postgres(postgres)
        yield postgres
