"""REST API: idempotent responses, members' signed messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 10:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_idempotency",
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "key", name=op.f("pk_api_idempotency")),
    )
    op.create_table(
        "api_signed_messages",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("signed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "subject", "account", "nonce", name=op.f("pk_api_signed_messages")
        ),
    )


def downgrade() -> None:
    op.drop_table("api_signed_messages")
    op.drop_table("api_idempotency")
