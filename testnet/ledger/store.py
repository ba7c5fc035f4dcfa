"""Durability: the ledger's own database, schema from testnet/ledger/migrations (Alembic).

Each closed ledger is written in ONE database transaction: its header, the entries it
changed (deleted, then re-inserted), its transactions, operations and participants.
On open, every live entry is loaded back into memory.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from json.encoder import encode_basestring_ascii
from operator import attrgetter
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, Table, create_engine, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from servicelayer.errors import ConfigError, LedgerUnavailable
from testnet.ledger import schema as t
from testnet.ledger.state import (
    Account,
    ClaimableBalance,
    Claimant,
    DataEntry,
    Entry,
    Key,
    LedgerHeader,
    LedgerState,
    Signer,
    TrustLine,
    owner_of,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def encode_key(key: Key) -> str:
    return "|".join(key)


_ACCOUNT_FIELDS = tuple(f.name for f in fields(Account) if f.name != "signers")
_ACCOUNT_TEXT_FIELDS = frozenset({"account_id", "home_domain"})
_account_values = attrgetter(*_ACCOUNT_FIELDS)


def _account_json(account: Account) -> str:
    """``json.dumps`` of the account's dict (kind, its fields, signers last), written out
    directly: accounts are most of what a settlement close changes."""
    parts = ['{"kind":"account"']
    for name, value in zip(_ACCOUNT_FIELDS, _account_values(account), strict=True):
        text = encode_basestring_ascii(value) if name in _ACCOUNT_TEXT_FIELDS else str(int(value))
        parts.append(f'"{name}":{text}')
    signers = ",".join(
        f"[{encode_basestring_ascii(s.key)},{int(s.weight)}]" for s in account.signers
    )
    parts.append(f'"signers":[{signers}]}}')
    return ",".join(parts)


def entry_to_json(entry: Entry) -> str:
    if isinstance(entry, Account):
        return _account_json(entry)
    if isinstance(entry, TrustLine):
        body = {"kind": "trustline", **{f: getattr(entry, f) for f in entry.__dataclass_fields__}}
    elif isinstance(entry, DataEntry):
        body = {
            "kind": "data",
            "account_id": entry.account_id,
            "name": entry.name,
            "value": base64.b64encode(entry.value).decode(),
            "last_modified_ledger": entry.last_modified_ledger,
        }
    else:
        body = {
            "kind": "claimable_balance",
            **{f: getattr(entry, f) for f in entry.__dataclass_fields__ if f != "claimants"},
            "claimants": [[c.destination, c.predicate] for c in entry.claimants],
        }
    return json.dumps(body, separators=(",", ":"))


def entry_from_json(text: str) -> Entry:
    body = json.loads(text)
    kind = body.pop("kind")
    if kind == "account":
        body["signers"] = tuple(Signer(k, w) for k, w in body["signers"])
        return Account(**body)
    if kind == "trustline":
        return TrustLine(**body)
    if kind == "data":
        body["value"] = base64.b64decode(body["value"])
        return DataEntry(**body)
    body["claimants"] = tuple(Claimant(d, p) for d, p in body["claimants"])
    return ClaimableBalance(**body)


def _header_row(h: LedgerHeader) -> dict[str, Any]:
    return {f: getattr(h, f) for f in h.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class ClosedLedgerRows:
    """One close's rows; history rows are tuples in the tables' column order."""

    header: LedgerHeader
    changes: dict[Key, Entry | None]
    transactions: list[tuple[Any, ...]]
    operations: list[tuple[Any, ...]]
    tx_participants: list[tuple[Any, ...]]
    op_participants: list[tuple[Any, ...]]
    records: list[dict[str, Any]] = field(default_factory=list)  # not persisted as such


def _insert_sql(table: Table, placeholder: str) -> str:
    columns = [c.name for c in table.columns]
    marks = ", ".join([placeholder] * len(columns))
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"


def _upsert_entries_sql(dialect: str, mark: str) -> str:
    insert_sql = _insert_sql(t.entries, mark)
    if dialect == "sqlite":
        return insert_sql.replace("INSERT INTO", "INSERT OR REPLACE INTO", 1)
    return (
        f"{insert_sql} ON CONFLICT (entry_key) DO UPDATE SET "
        "kind = EXCLUDED.kind, owner = EXCLUDED.owner, body = EXCLUDED.body"
    )


def upgrade_schema(url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # up to 64 MB of pages (the default is 2 MB): every close inserts into the
        # participant indexes at one place per account, all over B-trees that outgrow
        # the default cache after a few thousand transactions
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()


class LedgerStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> LedgerStore:
        try:
            upgrade_schema(url)
            is_sqlite = url.startswith("sqlite")
            engine = create_engine(
                url,
                connect_args={"check_same_thread": False} if is_sqlite else {},
            )
            if is_sqlite:
                _sqlite_pragmas(engine)
        except SQLAlchemyError as exc:
            raise LedgerUnavailable(f"cannot open the ledger database: {exc}") from exc
        except CommandError as exc:  # e.g. a database migrated by a newer version
            raise ConfigError(f"cannot migrate the ledger database: {exc}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- loading -----------------------------------------------------------------------
    def load(self) -> tuple[LedgerState, LedgerHeader | None, str | None]:
        state = LedgerState()
        with self.engine.connect() as conn:
            for (body,) in conn.execute(select(t.entries.c.body)):
                state.put(entry_from_json(body))
            row = conn.execute(select(t.headers).order_by(t.headers.c.seq.desc()).limit(1)).first()
            passphrase = conn.execute(
                select(t.meta.c.value).where(t.meta.c.key == "network_passphrase")
            ).scalar()
        header = LedgerHeader(**row._asdict()) if row is not None else None
        return state, header, passphrase

    def check_passphrase(self, passphrase: str) -> None:
        with self.engine.begin() as conn:
            stored = conn.execute(
                select(t.meta.c.value).where(t.meta.c.key == "network_passphrase")
            ).scalar()
            if stored is None:
                conn.execute(insert(t.meta).values(key="network_passphrase", value=passphrase))
            elif stored != passphrase:
                raise ConfigError(
                    f"this ledger database belongs to network {stored!r}, not {passphrase!r}"
                )

    # -- writing -----------------------------------------------------------------------
    def persist(self, rows: ClosedLedgerRows) -> None:
        """Writes one closed ledger in one database transaction.

        Rows go to the driver's ``executemany`` as tuples: SQLAlchemy's per-row parameter
        processing cost more than SQLite's inserts for a ledger of thousands of rows.
        """
        with self.engine.begin() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            conn.execute(insert(t.headers), [_header_row(rows.header)])
            self._write_entries(conn, rows.changes, mark)
            for table, batch in (
                (t.transactions, rows.transactions),
                (t.operations, rows.operations),
                (t.tx_participants, rows.tx_participants),
                (t.op_participants, rows.op_participants),
            ):
                if batch:
                    conn.exec_driver_sql(_insert_sql(table, mark), batch)

    @staticmethod
    def _write_entries(conn: Connection, changes: dict[Key, Entry | None], mark: str) -> None:
        """Deleted entries are deleted, the others inserted or replaced (one statement)."""
        gone = [(encode_key(k),) for k, entry in changes.items() if entry is None]
        if gone:
            conn.exec_driver_sql(f"DELETE FROM {t.entries.name} WHERE entry_key = {mark}", gone)
        live = [
            (encode_key(key), key[0], owner_of(entry), entry_to_json(entry))
            for key, entry in changes.items()
            if entry is not None
        ]
        if live:
            conn.exec_driver_sql(_upsert_entries_sql(conn.dialect.name, mark), live)

    # -- queries -----------------------------------------------------------------------
    def transaction(self, tx_hash: str, *, inner: bool = False) -> dict[str, Any] | None:
        """The stored record of a transaction (asked on every submission, hence plain SQL);
        with ``inner``, also the fee bump whose inner transaction has that hash."""
        with self.engine.connect() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            where = f"hash = {mark}" + (f" OR inner_hash = {mark}" if inner else "")
            record = conn.exec_driver_sql(
                f"SELECT record FROM {t.transactions.name} WHERE {where}",
                (tx_hash,) * (2 if inner else 1),
            ).scalar()
        return json.loads(record) if record is not None else None

    def ledger(self, seq: int) -> LedgerHeader | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.headers).where(t.headers.c.seq == seq)).first()
        return LedgerHeader(**row._asdict()) if row is not None else None

    def ledgers(self, cursor: int | None, descending: bool, limit: int) -> list[LedgerHeader]:
        query = select(t.headers)
        col = t.headers.c.seq
        if cursor is not None:
            seq = cursor >> 32
            query = query.where(col < seq if descending else col > seq)
        query = query.order_by(col.desc() if descending else col.asc()).limit(limit)
        with self.engine.connect() as conn:
            return [LedgerHeader(**row._asdict()) for row in conn.execute(query)]

    def transactions(
        self,
        *,
        account: str | None,
        ledger: int | None,
        cursor: int | None,
        descending: bool,
        limit: int,
        include_failed: bool = True,
    ) -> list[dict[str, Any]]:
        tx = t.transactions
        query = select(tx.c.record)
        if account is not None:
            query = query.join(
                t.tx_participants, t.tx_participants.c.transaction_id == tx.c.id
            ).where(t.tx_participants.c.account_id == account)
        if ledger is not None:
            query = query.where(tx.c.ledger_seq == ledger)
        if not include_failed:
            query = query.where(tx.c.successful.is_(True))
        return self._page(query, tx.c.id, cursor, descending, limit)

    def operations(
        self,
        *,
        account: str | None,
        transaction_id: int | None,
        payments_only: bool,
        cursor: int | None,
        descending: bool,
        limit: int,
        include_failed: bool = True,
    ) -> list[dict[str, Any]]:
        ops = t.operations
        query = select(ops.c.record)
        if not include_failed:
            query = query.where(ops.c.successful.is_(True))
        if account is not None:
            part = t.op_participants
            query = query.join(part, part.c.operation_id == ops.c.id).where(
                part.c.account_id == account
            )
        if transaction_id is not None:
            query = query.where(ops.c.transaction_id == transaction_id)
        if payments_only:
            query = query.where(ops.c.is_payment.is_(True))
        return self._page(query, ops.c.id, cursor, descending, limit)

    def _page(
        self, query: Any, col: Any, cursor: int | None, descending: bool, limit: int
    ) -> list[dict[str, Any]]:
        if cursor is not None:
            query = query.where(col < cursor if descending else col > cursor)
        query = query.order_by(col.desc() if descending else col.asc()).limit(limit)
        with self.engine.connect() as conn:
            return [json.loads(r) for (r,) in conn.execute(query)]

    def recent_fees(self, ledgers: int) -> tuple[list[int], list[int]]:
        """Per-operation fee charged and max fee of the transactions in the last ledgers."""
        with self.engine.connect() as conn:
            top = conn.execute(select(t.headers.c.seq).order_by(t.headers.c.seq.desc())).scalar()
            if top is None:
                return [], []
            rows = conn.execute(
                select(t.transactions.c.record).where(t.transactions.c.ledger_seq > top - ledgers)
            )
            charged, offered = [], []
            for (text,) in rows:
                record = json.loads(text)
                ops = max(1, int(record["operation_count"]))
                charged.append(int(record["fee_charged"]) // ops)
                offered.append(int(record["max_fee"]) // ops)
            return charged, offered


def batched(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
