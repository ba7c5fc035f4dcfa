"""Federation: sealed batches of receipts and the input sets proposed for epochs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_batches",
        sa.Column("sealer", sa.String(length=56), nullable=False),
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("wire", sa.Text(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sealer", "number"),
    )
    op.create_table(
        "federation_inputs",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(length=64), nullable=True),
        sa.Column("envelope", sa.Text(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.create_index("ix_federation_inputs_epoch", "federation_inputs", ["epoch"])


def downgrade() -> None:
    op.drop_index("ix_federation_inputs_epoch", table_name="federation_inputs")
    op.drop_table("federation_inputs")
    op.drop_table("federation_batches")
