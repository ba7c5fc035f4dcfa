"""Epoch accounting: the payouts each epoch computed, journal marks, the anchor envelope

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epoch_payouts",
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("asset", sa.String(length=69), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "position", name=op.f("pk_epoch_payouts")),
    )
    with op.batch_alter_table("epoch_payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_epoch_payouts_account"), ["account"], unique=False)
    op.create_table(
        "epoch_marks",
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "contract", name=op.f("pk_epoch_marks")),
    )
    with op.batch_alter_table("epochs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payouts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("anchor_sequence", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("anchor_envelope", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("anchor_ledger", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("epochs", schema=None) as batch_op:
        batch_op.drop_column("anchor_ledger")
        batch_op.drop_column("anchor_envelope")
        batch_op.drop_column("anchor_sequence")
        batch_op.drop_column("payouts")
    op.drop_table("epoch_marks")
    with op.batch_alter_table("epoch_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epoch_payouts_account"))
    op.drop_table("epoch_payouts")
