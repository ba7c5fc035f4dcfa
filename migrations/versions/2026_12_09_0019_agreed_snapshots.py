"""Federation: an input set may carry the balance snapshot the validators agreed on

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-09 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("federation_inputs") as batch:
        batch.add_column(sa.Column("snapshot", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("federation_inputs") as batch:
        batch.drop_column("snapshot")
