"""ledger transactions: a fee bump's inner hash, so it is found by it as Horizon finds it

Revision ID: ledger_0003
Revises: ledger_0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "ledger_0003"
down_revision = "ledger_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger_transactions", sa.Column("inner_hash", sa.String(64), nullable=True))
    op.create_index("ix_ledger_transactions_inner_hash", "ledger_transactions", ["inner_hash"])
    # the fee bumps stored so far carry their inner hash in their record
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, record FROM ledger_transactions WHERE record LIKE :fee_bump"),
        {"fee_bump": '%"inner_transaction"%'},
    ).all()
    for tx_id, record in rows:
        inner = json.loads(record).get("inner_transaction") or {}
        if inner.get("hash"):
            conn.execute(
                sa.text("UPDATE ledger_transactions SET inner_hash = :h WHERE id = :id"),
                {"h": inner["hash"], "id": tx_id},
            )


def downgrade() -> None:
    op.drop_index("ix_ledger_transactions_inner_hash", table_name="ledger_transactions")
    op.drop_column("ledger_transactions", "inner_hash")
