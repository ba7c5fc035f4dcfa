"""Federation: the members' answers to this validator's requests to sign

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_votes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=160), nullable=False),
        sa.Column("tx_hash", sa.String(length=64), nullable=False),
        sa.Column("member", sa.String(length=56), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_federation_votes_epoch", "federation_votes", ["epoch"])


def downgrade() -> None:
    op.drop_index("ix_federation_votes_epoch", table_name="federation_votes")
    op.drop_table("federation_votes")
