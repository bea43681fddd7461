"""invoice send queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 03:18:31.556030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("next_attempt_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("claimed_until", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_invoices_send_queue",
            ["state", "next_attempt_at", "claimed_until", "id"],
            unique=False,
            sqlite_where=sa.text("state IN ('approved', 'sending')"),
            postgresql_where=sa.text("state IN ('approved', 'sending')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_invoices_send_queue",
            sqlite_where=sa.text("state IN ('approved', 'sending')"),
            postgresql_where=sa.text("state IN ('approved', 'sending')"),
        )
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
