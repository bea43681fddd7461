"""The migrated schema on both databases: it matches the models, keeps decimals exact, and
keeps the audit trail append-only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from backend.db.migrate import MIGRATIONS, current_revision
from backend.db.models import AuditEvent, Base, Company, InvoiceRow
from backend.domain.invoice import DocumentKind
from backend.domain.states import InvoiceState


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def test_migrations_reach_head_and_match_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _company(session: Session, org_id: str = "5560360793") -> Company:
    company = Company(country="SE", org_id=org_id, name="Acme AB")
    session.add(company)
    session.flush()
    return company


def test_amounts_round_trip_exactly(engine: Engine) -> None:
    big = Decimal("1234567890123456.78")
    with Session(engine) as session:
        company = _company(session)
        session.add(
            InvoiceRow(
                kind=DocumentKind.INVOICE,
                state=InvoiceState.DRAFT,
                sender_company_id=company.id,
                issue_date=date(2026, 11, 20),
                currency="SEK",
                payable_amount=big,
                tax_amount=Decimal("0.10"),
            )
        )
        session.commit()
    with Session(engine) as session:
        row = session.scalars(select(InvoiceRow)).one()
        assert row.payable_amount == big
        assert row.tax_amount == Decimal("0.10")
        assert row.created_at.tzinfo is UTC


def test_amount_with_too_many_decimals_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        company = _company(session)
        session.add(
            InvoiceRow(
                kind=DocumentKind.INVOICE,
                state=InvoiceState.DRAFT,
                sender_company_id=company.id,
                issue_date=date(2026, 11, 20),
                currency="SEK",
                payable_amount=Decimal("1.005"),
            )
        )
        with pytest.raises(Exception, match="more than 2 decimals"):
            session.commit()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            InvoiceRow(
                kind=DocumentKind.INVOICE,
                state=InvoiceState.DRAFT,
                sender_company_id=999,
                issue_date=date(2026, 11, 20),
                currency="EUR",
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_submitted_invoice_numbers_are_unique_per_sender(engine: Engine) -> None:
    def invoice(company: Company, state: InvoiceState) -> InvoiceRow:
        return InvoiceRow(
            kind=DocumentKind.INVOICE,
            state=state,
            sender_company_id=company.id,
            number="A-1",
            issue_date=date(2026, 11, 20),
            currency="EUR",
        )

    with Session(engine) as session:
        company = _company(session)
        # Drafts may repeat a typed number; the check applies from submission on.
        session.add_all(
            [invoice(company, InvoiceState.DRAFT), invoice(company, InvoiceState.DRAFT)]
        )
        session.add(invoice(company, InvoiceState.READY_FOR_APPROVAL))
        session.commit()
        session.add(invoice(company, InvoiceState.APPROVED))
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_audit_events_are_append_only(engine: Engine, statement: str) -> None:
    with Session(engine) as session:
        session.add(AuditEvent(action="login", at=datetime.now(UTC)))
        session.commit()
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(statement))
    with Session(engine) as session:
        assert session.scalars(select(AuditEvent.action)).all() == ["login"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
