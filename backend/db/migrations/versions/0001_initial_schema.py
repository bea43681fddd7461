"""initial schema

Revision ID: 0001
Revises:
The audit trail is append-only: triggers refuse UPDATE and DELETE on audit_events.

Create Date: 2026-11-21 00:22:56.161601
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_company_at", ["company_id", "at"], unique=False)

    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("peppol_scheme", sa.String(length=4), nullable=True),
        sa.Column("peppol_value", sa.String(length=64), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "free",
                "plus",
                "premium",
                name="membership_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "active",
                "suspended",
                name="company_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "membership_use",
            sa.Enum(
                "sending",
                "receiving",
                "both",
                name="membership_use",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.Column("requires_sender_approval", sa.Boolean(), nullable=False),
        sa.Column("invoice_number_prefix", sa.String(length=20), nullable=False),
        sa.Column("next_invoice_number", sa.Integer(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("country", "org_id", name="uq_companies_country_org_id"),
        sa.UniqueConstraint("peppol_scheme", "peppol_value", name="uq_companies_peppol"),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_companies_iban"), ["iban"], unique=False)
        batch_op.create_index(batch_op.f("ix_companies_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_companies_vat_number"), ["vat_number"], unique=False)

    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("imported_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
        sa.UniqueConstraint("country", "org_id", name="uq_directory_country_org_id"),
    )
    op.create_table(
        "registration_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "free",
                "plus",
                "premium",
                name="membership_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("uses_left", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_registration_codes_code")),
    )
    op.create_table(
        "integration_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("protocol", sa.String(length=10), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("file_pattern", sa.String(length=100), nullable=False),
        sa.Column("ftps_mode", sa.String(length=10), nullable=False),
        sa.Column("use_ssl", sa.Boolean(), nullable=False),
        sa.Column("binary_mode", sa.Boolean(), nullable=False),
        sa.Column("passive_mode", sa.Boolean(), nullable=False),
        sa.Column("remove_after_polling", sa.Boolean(), nullable=False),
        sa.Column("poll_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("error_email", sa.String(length=254), nullable=False),
        sa.Column("send_automatically", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_integration_settings_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_settings")),
        sa.UniqueConstraint("company_id", name=op.f("uq_integration_settings_company_id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "company_admin",
                "support",
                "portal_admin",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("may_approve", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_users_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_company_id"), ["company_id"], unique=False)

    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_company_id", sa.Integer(), nullable=False),
        sa.Column("recipient_company_id", sa.Integer(), nullable=True),
        sa.Column("customer_number", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("peppol_id", sa.String(length=70), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "portal",
                "email",
                "business_system",
                name="delivery_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending_approval",
                "approved",
                "rejected",
                name="customer_link_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_customers_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_company_id"],
            ["companies.id"],
            name=op.f("fk_customers_recipient_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_company_id"],
            ["companies.id"],
            name=op.f("fk_customers_sender_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("sender_company_id", "customer_number", name="uq_customers_number"),
        sa.UniqueConstraint(
            "sender_company_id", "recipient_company_id", name="uq_customers_member"
        ),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_recipient_company_id"), ["recipient_company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customers_sender_company_id"), ["sender_company_id"], unique=False
        )

    op.create_table(
        "invoice_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_invoice_templates_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_invoice_templates_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_templates")),
        sa.UniqueConstraint("company_id", "name", name="uq_templates_company_name"),
    )
    with op.batch_alter_table("invoice_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_templates_company_id"), ["company_id"], unique=False
        )

    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "activation",
                "password_reset",
                name="code_purpose",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("expires_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_one_time_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
    )
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=16384), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("comment", sa.String(length=200), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_keys")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_user_keys_fingerprint")),
    )
    with op.batch_alter_table("user_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                name="document_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "ready_for_approval",
                "approved",
                "sending",
                "delivered",
                "failed",
                name="invoice_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sender_company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("recipient_company_id", sa.Integer(), nullable=True),
        sa.Column("inbox_company_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "portal",
                "email",
                "business_system",
                name="delivery_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column(
            "number_key",
            sa.String(length=50).with_variant(sa.String(length=50, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column(
            "category_key",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_exclusive_amount", backend.db.types.ScaledDecimal(18, 2), nullable=False),
        sa.Column("tax_amount", backend.db.types.ScaledDecimal(18, 2), nullable=False),
        sa.Column("payable_amount", backend.db.types.ScaledDecimal(18, 2), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column(
            "sender_name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column(
            "recipient_name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("buyer_reference", sa.String(length=200), nullable=False),
        sa.Column("order_reference", sa.String(length=200), nullable=False),
        sa.Column("credited_invoice_id", sa.Integer(), nullable=True),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("original_document", sa.LargeBinary(), nullable=True),
        sa.Column("read_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["users.id"],
            name=op.f("fk_invoices_approved_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_invoices_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credited_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invoices_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["inbox_company_id"],
            ["companies.id"],
            name=op.f("fk_invoices_inbox_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_company_id"],
            ["companies.id"],
            name=op.f("fk_invoices_recipient_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_company_id"],
            ["companies.id"],
            name=op.f("fk_invoices_sender_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_invoices_inbox_company_id_category_key",
            ["inbox_company_id", "category_key", "id", "read_at", "number_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_due_date",
            [
                "inbox_company_id",
                "due_date",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_issue_date",
            ["inbox_company_id", "issue_date", "id", "read_at", "number_key", "category_key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_number_key",
            ["inbox_company_id", "number_key", "id", "read_at", "category_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_payable_amount",
            [
                "inbox_company_id",
                "payable_amount",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_read_at",
            ["inbox_company_id", "read_at", "id", "number_key", "category_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_inbox_company_id_sender_name_key",
            [
                "inbox_company_id",
                "sender_name_key",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_category_key",
            ["sender_company_id", "category_key", "id", "read_at", "number_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_due_date",
            [
                "sender_company_id",
                "due_date",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_issue_date",
            ["sender_company_id", "issue_date", "id", "read_at", "number_key", "category_key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_number_key",
            ["sender_company_id", "number_key", "id", "read_at", "category_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_payable_amount",
            [
                "sender_company_id",
                "payable_amount",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_read_at",
            ["sender_company_id", "read_at", "id", "number_key", "category_key", "issue_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_company_id_recipient_name_key",
            [
                "sender_company_id",
                "recipient_name_key",
                "id",
                "read_at",
                "number_key",
                "category_key",
                "issue_date",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoices_sender_state", ["sender_company_id", "state", "id"], unique=False
        )
        batch_op.create_index(
            "uq_invoices_sender_number",
            ["sender_company_id", "number"],
            unique=True,
            sqlite_where=sa.text("state != 'draft'"),
            postgresql_where=sa.text("state != 'draft'"),
        )

    op.create_table(
        "delivery_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "portal",
                "email",
                "business_system",
                name="delivery_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "ready_for_approval",
                "approved",
                "sending",
                "delivered",
                "failed",
                name="invoice_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_delivery_events_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_events")),
    )
    with op.batch_alter_table("delivery_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_events_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_allowances_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("line_position", sa.Integer(), nullable=True),
        sa.Column("is_charge", sa.Boolean(), nullable=False),
        sa.Column("amount", backend.db.types.ScaledDecimal(18, 2), nullable=False),
        sa.Column("base_amount", backend.db.types.ScaledDecimal(18, 2), nullable=True),
        sa.Column("percent", backend.db.types.ScaledDecimal(9, 4), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("reason_code", sa.String(length=10), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "Z",
                "E",
                "AE",
                "K",
                "G",
                "O",
                name="vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("vat_rate", backend.db.types.ScaledDecimal(5, 2), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_allowances_charges_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_allowances_charges")),
    )
    with op.batch_alter_table("invoice_allowances_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_allowances_charges_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime_code", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("external_uri", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_attachments_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_attachments")),
    )
    with op.batch_alter_table("invoice_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_attachments_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("quantity", backend.db.types.ScaledDecimal(19, 6), nullable=False),
        sa.Column("unit_code", sa.String(length=3), nullable=False),
        sa.Column("net_price", backend.db.types.ScaledDecimal(19, 6), nullable=False),
        sa.Column("base_quantity", backend.db.types.ScaledDecimal(19, 6), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum(
                "S",
                "Z",
                "E",
                "AE",
                "K",
                "G",
                "O",
                name="vat_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("vat_rate", backend.db.types.ScaledDecimal(5, 2), nullable=True),
        sa.Column("net_amount", backend.db.types.ScaledDecimal(18, 2), nullable=False),
        sa.Column("seller_item_id", sa.String(length=100), nullable=False),
        sa.Column("buyer_item_id", sa.String(length=100), nullable=False),
        sa.Column("standard_item_id", sa.String(length=100), nullable=False),
        sa.Column("standard_item_scheme", sa.String(length=4), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "answered",
                "closed",
                name="ticket_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_tickets_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_tickets_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_tickets_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_company_id"), ["company_id"], unique=False)

    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_ticket_messages_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_messages_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_messages_ticket_id"), ["ticket_id"], unique=False
        )

    op.create_table(
        "ticket_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ticket_messages.id"],
            name=op.f("fk_ticket_attachments_message_id_ticket_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_attachments")),
    )
    with op.batch_alter_table("ticket_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_attachments_message_id"), ["message_id"], unique=False
        )

    _make_audit_append_only()


def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table("ticket_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_attachments_message_id"))

    op.drop_table("ticket_attachments")
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_messages_ticket_id"))

    op.drop_table("ticket_messages")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_company_id"))

    op.drop_table("tickets")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("invoice_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_attachments_invoice_id"))

    op.drop_table("invoice_attachments")
    with op.batch_alter_table("invoice_allowances_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_allowances_charges_invoice_id"))

    op.drop_table("invoice_allowances_charges")
    with op.batch_alter_table("delivery_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_events_invoice_id"))

    op.drop_table("delivery_events")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_invoices_sender_number",
            sqlite_where=sa.text("state != 'draft'"),
            postgresql_where=sa.text("state != 'draft'"),
        )
        batch_op.drop_index("ix_invoices_sender_state")
        batch_op.drop_index("ix_invoices_sender_company_id_recipient_name_key")
        batch_op.drop_index("ix_invoices_sender_company_id_read_at")
        batch_op.drop_index("ix_invoices_sender_company_id_payable_amount")
        batch_op.drop_index("ix_invoices_sender_company_id_number_key")
        batch_op.drop_index("ix_invoices_sender_company_id_issue_date")
        batch_op.drop_index("ix_invoices_sender_company_id_due_date")
        batch_op.drop_index("ix_invoices_sender_company_id_category_key")
        batch_op.drop_index("ix_invoices_inbox_company_id_sender_name_key")
        batch_op.drop_index("ix_invoices_inbox_company_id_read_at")
        batch_op.drop_index("ix_invoices_inbox_company_id_payable_amount")
        batch_op.drop_index("ix_invoices_inbox_company_id_number_key")
        batch_op.drop_index("ix_invoices_inbox_company_id_issue_date")
        batch_op.drop_index("ix_invoices_inbox_company_id_due_date")
        batch_op.drop_index("ix_invoices_inbox_company_id_category_key")
        batch_op.drop_index(batch_op.f("ix_invoices_customer_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("user_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_keys_user_id"))

    op.drop_table("user_keys")
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_codes_user_id"))

    op.drop_table("one_time_codes")
    with op.batch_alter_table("invoice_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_templates_company_id"))

    op.drop_table("invoice_templates")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_sender_company_id"))
        batch_op.drop_index(batch_op.f("ix_customers_recipient_company_id"))

    op.drop_table("customers")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_company_id"))

    op.drop_table("users")
    op.drop_table("integration_settings")
    op.drop_table("registration_codes")
    op.drop_table("directory_entries")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_vat_number"))
        batch_op.drop_index(batch_op.f("ix_companies_name"))
        batch_op.drop_index(batch_op.f("ix_companies_iban"))

    op.drop_table("companies")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_company_at")

    op.drop_table("audit_events")
