"""invoices from outside the portal have no sending company

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 03:50:00.000000

Received UBL imported from a user's /upload/ (backend/services/inbox_import.py) was sent by a
company that need not be a member: its row has an inbox company and no sender company.

SQLite cannot drop NOT NULL with ALTER TABLE, and Alembic's batch mode would recreate the table:
with foreign keys on, dropping the old ``invoices`` cascades into every line, attachment and
delivery event. So on SQLite the column's definition is edited in the schema itself, the way
SQLite's documentation describes for removing a NOT NULL constraint (the stored rows do not
change); PostgreSQL simply alters the column.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMN = re.compile(r"(\bsender_company_id\s+INTEGER)(\s+NOT NULL)?", re.IGNORECASE)


def _sqlite_set_not_null(not_null: bool) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invoices'"
    ).scalar_one()
    changed, count = _COLUMN.subn(lambda m: m[1] + (" NOT NULL" if not_null else ""), sql, 1)
    if count != 1:
        raise RuntimeError("invoices.sender_company_id not found in the SQLite schema")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'invoices'", (changed,)
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_not_null(False)
    else:
        op.alter_column("invoices", "sender_company_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Imported invoices cannot keep a NULL sender: they go with the downgrade.
    op.execute("DELETE FROM invoices WHERE sender_company_id IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_not_null(True)
    else:
        op.alter_column("invoices", "sender_company_id", existing_type=sa.Integer(), nullable=False)
