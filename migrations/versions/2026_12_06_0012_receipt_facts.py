"""Receipts as facts: each row carries its own started_at and its close-time stream outcome

The stream rules are applied when an epoch closes, over the set of its receipts (see
servicelayer/epochs/sealing.py), so a stored row must reproduce its signed bytes on its
own (``started_at`` was only on the stream row) and keeps what the close decided
(``stream_outcome``: NULL for a counted receipt, else the stream rule that refused it).
Existing rows were all accepted under the ingest-time rules: NULL. The stream's own
``started_at`` and its ``head_*`` columns (the ingest-time stream rules' state) go; a
downgrade rebuilds them from each stream's latest receipt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("stream_outcome", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE receipts SET started_at = (SELECT s.started_at FROM receipt_streams s"
        ' WHERE s."key" = receipts.stream_key)'
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.alter_column("started_at", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("receipt_streams", schema=None) as batch_op:
        for column in _STREAM_COLUMNS:
            batch_op.drop_column(column)


_STREAM_COLUMNS = ("started_at", "head_seq", "head_amount", "head_base", "head_window_start")
_LATEST = (
    '(SELECT r.{column} FROM receipts r WHERE r.stream_key = receipt_streams."key"'
    " AND r.stream_outcome IS NULL ORDER BY r.window_start DESC LIMIT 1)"
)


def downgrade() -> None:
    with op.batch_alter_table("receipt_streams", schema=None) as batch_op:
        for column in _STREAM_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.BigInteger(), nullable=True))
    heads = {  # each stream's latest counted receipt, as the ingest-time rules kept it
        "started_at": "started_at",
        "head_seq": "seq",
        "head_amount": "amount",
        "head_base": "base",
        "head_window_start": "window_start",
    }
    sets = ", ".join(
        f"{name} = COALESCE({_LATEST.format(column=col)}, 0)" for name, col in heads.items()
    )
    op.execute(f"UPDATE receipt_streams SET {sets}")
    with op.batch_alter_table("receipt_streams", schema=None) as batch_op:
        for column in _STREAM_COLUMNS:
            batch_op.alter_column(column, existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("stream_outcome")
        batch_op.drop_column("started_at")
