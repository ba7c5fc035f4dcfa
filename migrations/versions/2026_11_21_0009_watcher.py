"""Ledger watcher: followed positions, treasury payments, the governance balance index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_marks",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("ledger", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_marks")),
    )
    op.create_table(
        "treasury_payments",
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("tx_hash", sa.String(length=64), nullable=False),
        sa.Column("ledger", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=False),
        sa.Column("treasury", sa.String(length=56), nullable=False),
        sa.Column("source", sa.String(length=56), nullable=False),
        sa.Column("asset", sa.String(length=70), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("memo_type", sa.String(length=8), nullable=False),
        sa.Column("memo", sa.String(length=100), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("content", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_treasury_payments")),
    )
    with op.batch_alter_table("treasury_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treasury_payments_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_treasury_payments_status"), ["status"], unique=False)
    op.create_table(
        "governance_balances",
        sa.Column("asset", sa.String(length=70), nullable=False),
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("ledger", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("asset", "account", "ledger", name=op.f("pk_governance_balances")),
    )


def downgrade() -> None:
    op.drop_table("governance_balances")
    with op.batch_alter_table("treasury_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treasury_payments_status"))
        batch_op.drop_index(batch_op.f("ix_treasury_payments_source"))
    op.drop_table("treasury_payments")
    op.drop_table("ledger_marks")
