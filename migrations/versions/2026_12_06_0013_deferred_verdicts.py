"""Deferred verdicts: the weight a deferred verdict holds, and each one's resolution

A claim whose uploader is not vetted yet (beyond the newcomer cap) is deferred and judged
again by the next epochs; ``verdict_resolutions`` holds each resolution once, keyed by the
receipt id, under the epoch that resolved (and counts) it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_ppm", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_verdicts_verdict_epoch", ["verdict", "epoch"], unique=False)
    op.create_table(
        "verdict_resolutions",
        sa.Column("receipt_id", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("deferred_epoch", sa.BigInteger(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("weight_ppm", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("receipt_id", name=op.f("pk_verdict_resolutions")),
    )
    with op.batch_alter_table("verdict_resolutions", schema=None) as batch_op:
        batch_op.create_index("ix_verdict_resolutions_epoch", ["epoch"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verdict_resolutions", schema=None) as batch_op:
        batch_op.drop_index("ix_verdict_resolutions_epoch")
    op.drop_table("verdict_resolutions")
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index("ix_verdicts_verdict_epoch")
        batch_op.drop_column("held_ppm")
