"""Payouts name who pays them: null is the treasury; an issuer account is a voted mint
that a federation pays in its epoch's plan

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("epoch_payouts", "settlement_payouts")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source", sa.String(56), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source")
