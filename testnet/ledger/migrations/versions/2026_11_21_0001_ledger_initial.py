"""ledger initial: headers, entries, transactions, operations, participants

Revision ID: ledger_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_ledger_meta"),
    )
    op.create_table(
        "ledger_headers",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("close_time", sa.BigInteger(), nullable=False),
        sa.Column("total_coins", sa.BigInteger(), nullable=False),
        sa.Column("fee_pool", sa.BigInteger(), nullable=False),
        sa.Column("base_fee", sa.BigInteger(), nullable=False),
        sa.Column("base_reserve", sa.BigInteger(), nullable=False),
        sa.Column("max_tx_set_size", sa.Integer(), nullable=False),
        sa.Column("protocol_version", sa.Integer(), nullable=False),
        sa.Column("successful_tx_count", sa.Integer(), nullable=False),
        sa.Column("failed_tx_count", sa.Integer(), nullable=False),
        sa.Column("operation_count", sa.Integer(), nullable=False),
        sa.Column("tx_set_operation_count", sa.Integer(), nullable=False),
        sa.Column("header_xdr", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_headers"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("entry_key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(56), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entry_key", name="pk_ledger_entries"),
    )
    op.create_index("ix_ledger_entries_owner", "ledger_entries", ["owner"])
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("successful", sa.Boolean(), nullable=False),
        sa.Column("fee_charged", sa.BigInteger(), nullable=False),
        sa.Column("max_fee", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transactions"),
        sa.UniqueConstraint("hash", name="uq_ledger_transactions_hash"),
    )
    op.create_index("ix_ledger_transactions_ledger_seq", "ledger_transactions", ["ledger_seq"])
    op.create_table(
        "ledger_operations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("successful", sa.Boolean(), nullable=False),
        sa.Column("is_payment", sa.Boolean(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_operations"),
    )
    op.create_index("ix_ledger_operations_transaction_id", "ledger_operations", ["transaction_id"])
    op.create_table(
        "ledger_tx_participants",
        sa.Column("account_id", sa.String(56), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "transaction_id", name="pk_ledger_tx_participants"),
    )
    op.create_table(
        "ledger_op_participants",
        sa.Column("account_id", sa.String(56), nullable=False),
        sa.Column("operation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("is_payment", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "operation_id", name="pk_ledger_op_participants"),
    )


def downgrade() -> None:
    op.drop_table("ledger_op_participants")
    op.drop_table("ledger_tx_participants")
    op.drop_index("ix_ledger_operations_transaction_id", table_name="ledger_operations")
    op.drop_table("ledger_operations")
    op.drop_index("ix_ledger_transactions_ledger_seq", table_name="ledger_transactions")
    op.drop_table("ledger_transactions")
    op.drop_index("ix_ledger_entries_owner", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_headers")
    op.drop_table("ledger_meta")
