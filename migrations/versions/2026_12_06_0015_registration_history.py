"""Registration history: every accepted registration kept, so an epoch is judged with
the registrations in force during it, not with each account's latest one

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_history",
        sa.Column("account", sa.String(length=56), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "seq"),
    )
    op.create_index(
        "ix_registration_history_received", "registration_history", ["received_at"], unique=False
    )
    # the registrations stored so far are the only history there is
    op.execute(
        "INSERT INTO registration_history (account, seq, valid_until, signed, received_at) "
        "SELECT account, seq, valid_until, signed, received_at FROM registrations"
    )


def downgrade() -> None:
    op.drop_index("ix_registration_history_received", table_name="registration_history")
    op.drop_table("registration_history")
