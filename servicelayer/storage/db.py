"""The database: engine setup for SQLite (embedded default) and PostgreSQL, migrations.

SQLite runs in WAL mode; a write transaction starts with ``BEGIN IMMEDIATE`` so two
writers queue on the busy timeout instead of failing on a lock upgrade. PostgreSQL
writers of one receipt slot meet in a conditional upsert (``receipts_repo``), and epoch
close excludes ingestion with an advisory lock (``epochs_repo.guard_close``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from servicelayer.errors import ConfigError, ServiceLayerError
from servicelayer.storage.permissions import PRIVATE_DIR, private_file, tighten

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
_WRITE = "acenode_write"


class DatabaseUnavailable(ServiceLayerError):
    code = "database_unavailable"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and use the psycopg 3 driver for it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("database_url is not a valid SQLAlchemy URL") from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError("database_url must be a sqlite:/// or postgresql:// URL")
    return parsed.render_as_string(hide_password=False)


class Database:
    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=4, pool_pre_ping=True)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        try:
            with self.engine.connect() as conn:
                if write:
                    conn = conn.execution_options(**{_WRITE: True})
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
        except OperationalError as exc:
            raise self._unavailable(exc) from exc

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError:
            return False
        return True

    def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations (the only source of the schema)."""
        try:
            with self.engine.begin() as conn:
                cfg = alembic_config(self.url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: OperationalError) -> DatabaseUnavailable:
        where = self.engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return DatabaseUnavailable(f"cannot use the database {where}: {reason}")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _configure_sqlite(engine: Engine) -> None:
    if engine.url.database and engine.url.database != ":memory:":
        path = Path(engine.url.database)
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        private_file(path)  # 0600 before SQLite creates it: its -wal/-shm take its mode
        for suffix in ("-wal", "-shm", "-journal"):
            tighten(path.with_name(path.name + suffix))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # A bounded 8 MiB page cache per connection (SQLite's default is 2 MiB): the ingest
        # path's index inserts then mostly hit memory instead of re-reading pages from the
        # OS. Checkpoints every 4,000 WAL pages (16 MiB) instead of 1,000 write each hot
        # page back once per checkpoint rather than four times. Durability is unchanged.
        cur.execute("PRAGMA cache_size=-8192")
        cur.execute("PRAGMA wal_autocheckpoint=4000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
