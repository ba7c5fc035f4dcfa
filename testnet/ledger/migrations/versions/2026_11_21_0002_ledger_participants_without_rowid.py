"""ledger participants: SQLite tables WITHOUT ROWID (the primary key is the table)

A settlement close writes about three participant rows per payment. As rowid tables
each row went into two B-trees (the table and its primary-key index); clustered on the
primary key it goes into one. PostgreSQL has no such distinction: nothing changes there.

Revision ID: ledger_0002
Revises: ledger_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0002"
down_revision = "ledger_0001"
branch_labels = None
depends_on = None


def _tx_participants(name: str, with_rowid: bool) -> None:
    op.create_table(
        name,
        sa.Column("account_id", sa.String(56), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "transaction_id", name="pk_ledger_tx_participants"),
        sqlite_with_rowid=with_rowid,
    )


def _op_participants(name: str, with_rowid: bool) -> None:
    op.create_table(
        name,
        sa.Column("account_id", sa.String(56), nullable=False),
        sa.Column("operation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("is_payment", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "operation_id", name="pk_ledger_op_participants"),
        sqlite_with_rowid=with_rowid,
    )


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, create in (
        ("ledger_tx_participants", _tx_participants),
        ("ledger_op_participants", _op_participants),
    ):
        op.rename_table(name, f"{name}_old")
        create(name, with_rowid)
        op.execute(f"INSERT INTO {name} SELECT * FROM {name}_old")
        op.drop_table(f"{name}_old")


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
