"""Federation: probe evidence sealed in batches keeps its name on every validator, and
the batches not applied yet are found by an index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("probe_evidence") as batch:
        batch.add_column(sa.Column("source", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_probe_evidence_source", ["source"])
    op.create_index(
        "ix_federation_batches_unapplied", "federation_batches", ["applied", "sealed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_federation_batches_unapplied", table_name="federation_batches")
    with op.batch_alter_table("probe_evidence") as batch:
        batch.drop_constraint("uq_probe_evidence_source", type_="unique")
        batch.drop_column("source")
