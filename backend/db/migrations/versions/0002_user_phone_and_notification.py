"""user phone and notification

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 03:15:37.582737
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=50), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "notification",
                sa.Enum(
                    "none",
                    "email",
                    "email_pdf",
                    name="notification",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="email",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notification")
        batch_op.drop_column("phone")
