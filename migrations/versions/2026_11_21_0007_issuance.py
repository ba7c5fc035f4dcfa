"""Issuance: the ledger transactions of mints and issuer locks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuance_submissions",
        sa.Column("action_seq", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("issuer", sa.String(length=56), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("destination", sa.String(length=56), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("tx_hash", sa.String(length=64), nullable=True),
        sa.Column("envelope", sa.Text(), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("action_seq", name=op.f("pk_issuance_submissions")),
    )
    with op.batch_alter_table("issuance_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuance_submissions_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_issuance_submissions_status"), ["status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issuance_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuance_submissions_status"))
        batch_op.drop_index(batch_op.f("ix_issuance_submissions_code"))
    op.drop_table("issuance_submissions")
