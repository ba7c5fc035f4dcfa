"""Probe evidence by observation time: ended_at, indexed with started_at

Verification reads the evidence of every probe that observed an epoch's windows, not only
the probes that epoch planned; existing rows get ended_at from their stored evidence.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:25:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_evidence = sa.table(
    "probe_evidence",
    sa.column("id", sa.BigInteger()),
    sa.column("started_at", sa.BigInteger()),
    sa.column("ended_at", sa.BigInteger()),
    sa.column("evidence", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("probe_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_evidence.c.id, _evidence.c.started_at, _evidence.c.evidence))
    for row_id, started_at, text in rows.all():
        ended_at = max(int(json.loads(text).get("ended_at", started_at)), started_at)
        bind.execute(_evidence.update().where(_evidence.c.id == row_id).values(ended_at=ended_at))
    with op.batch_alter_table("probe_evidence", schema=None) as batch_op:
        batch_op.alter_column("ended_at", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(
            "ix_probe_evidence_observed", ["started_at", "ended_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("probe_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_probe_evidence_observed")
        batch_op.drop_column("ended_at")
