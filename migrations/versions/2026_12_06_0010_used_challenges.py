"""Sign-in: SEP-10 challenges already exchanged (single use until their time bounds end)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_used_challenges",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_api_used_challenges")),
    )
    op.create_index(
        op.f("ix_api_used_challenges_expires_at"), "api_used_challenges", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_api_used_challenges_expires_at"), "api_used_challenges")
    op.drop_table("api_used_challenges")
