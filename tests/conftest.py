"""Fixtures shared by the whole suite: databases (SQLite and PostgreSQL) and a running node."""

from __future__ import annotations

import os
import typing
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import strategies as st

from contracts.pmap import PMap
from servicelayer.storage.db import Database
from tests.support import NodeProcess

PG_ADMIN = os.environ.get("ACENODE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _pmaps(hint: Any) -> st.SearchStrategy[PMap[Any, Any]]:
    """``st.from_type`` of a contract state: its ``PMap[K, V]`` fields (small ones)."""
    key, value = typing.get_args(hint) or (Any, Any)
    return st.dictionaries(st.from_type(key), st.from_type(value), max_size=4).map(PMap)


st.register_type_strategy(PMap, _pmaps)


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _postgres_reachable():
        return
    if os.environ.get("ACENODE_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"PostgreSQL is required (ACENODE_REQUIRE_POSTGRES=1): {PG_ADMIN}")
    skip = pytest.mark.skip(reason=f"PostgreSQL not reachable at {PG_ADMIN}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@contextmanager
def fresh_database(backend: str, sqlite_file: Path) -> Iterator[str]:
    """The URL of a fresh, empty database: ``sqlite_file``, or a new PostgreSQL database
    that is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    name = f"acenode_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the requested backend."""
    with fresh_database(getattr(request, "param", "sqlite"), tmp_path / "node.sqlite3") as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database (built with Alembic, never create_all)."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def node(tmp_path: Path, database_url: str) -> Iterator[NodeProcess]:
    """A real node (``acenode run``) on loopback, stopped with SIGTERM afterwards."""
    proc = NodeProcess(tmp_path / "node", database_url)
    proc.start()
    yield proc
    if proc.running:
        assert proc.stop() == 0, proc.output()
