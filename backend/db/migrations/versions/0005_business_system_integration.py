"""business system integration

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 06:07:53.276227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integration_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_integration_notices_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_notices")),
        sa.UniqueConstraint(
            "company_id", "problem", name=op.f("uq_integration_notices_company_id")
        ),
    )
    op.create_table(
        "substitution_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column(
            "field",
            sa.Enum(
                "seller_iban",
                "seller_bic",
                "seller_contact_name",
                "seller_contact_phone",
                "seller_contact_email",
                "payment_terms",
                "buyer_reference",
                "order_reference",
                "note",
                "category",
                "unit_code",
                name="substitution_field",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum(
                "always",
                "if_missing",
                "never",
                name="substitution_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_substitution_rules_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substitution_rules")),
        sa.UniqueConstraint("company_id", "field", name=op.f("uq_substitution_rules_company_id")),
    )
    op.create_table(
        "unit_code_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_unit_code_translations_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_code_translations")),
        sa.UniqueConstraint(
            "company_id", "source", name=op.f("uq_unit_code_translations_company_id")
        ),
    )
    op.create_table(
        "fetched_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "imported",
                "failed",
                name="fetched_file_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fetched_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_fetched_files_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_fetched_files_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetched_files")),
        sa.UniqueConstraint("company_id", "sha256", name=op.f("uq_fetched_files_company_id")),
    )
    with op.batch_alter_table("integration_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private_key_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("host_key", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("last_polled_at", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("polling_until", backend.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("integration_settings", schema=None) as batch_op:
        batch_op.drop_column("polling_until")
        batch_op.drop_column("last_polled_at")
        batch_op.drop_column("host_key")
        batch_op.drop_column("private_key_encrypted")

    op.drop_table("fetched_files")
    op.drop_table("unit_code_translations")
    op.drop_table("substitution_rules")
    op.drop_table("integration_notices")
