"""SQLAlchemy Core tables of the ledger's own database (the schema comes from Alembic:
testnet/ledger/migrations/; these definitions are for queries and must match it)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

meta = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

headers = Table(
    "ledger_headers",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("close_time", BigInteger, nullable=False),
    Column("total_coins", BigInteger, nullable=False),
    Column("fee_pool", BigInteger, nullable=False),
    Column("base_fee", BigInteger, nullable=False),
    Column("base_reserve", BigInteger, nullable=False),
    Column("max_tx_set_size", Integer, nullable=False),
    Column("protocol_version", Integer, nullable=False),
    Column("successful_tx_count", Integer, nullable=False),
    Column("failed_tx_count", Integer, nullable=False),
    Column("operation_count", Integer, nullable=False),
    Column("tx_set_operation_count", Integer, nullable=False),
    Column("header_xdr", Text, nullable=False),
)

entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_key", String(400), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("owner", String(56), nullable=False, index=True),
    Column("body", Text, nullable=False),
)

transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("ledger_seq", BigInteger, nullable=False, index=True),
    Column("successful", Boolean, nullable=False),
    Column("fee_charged", BigInteger, nullable=False),
    Column("max_fee", BigInteger, nullable=False),
    Column("record", Text, nullable=False),
    Column("inner_hash", String(64), nullable=True, index=True),  # a fee bump's inner one
)

operations = Table(
    "ledger_operations",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("transaction_id", BigInteger, nullable=False, index=True),
    Column("successful", Boolean, nullable=False),
    Column("is_payment", Boolean, nullable=False),
    Column("record", Text, nullable=False),
)

tx_participants = Table(
    "ledger_tx_participants",
    metadata,
    Column("account_id", String(56), primary_key=True),
    Column("transaction_id", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

op_participants = Table(
    "ledger_op_participants",
    metadata,
    Column("account_id", String(56), primary_key=True),
    Column("operation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("is_payment", Boolean, nullable=False),
    sqlite_with_rowid=False,
)
