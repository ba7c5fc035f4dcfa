from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> Iterator[StandaloneLedger]:
    opened = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (ACENODE_TEST_PG names the server)."""
    import os
    import uuid

    import psycopg

    admin = os.environ.get("ACENODE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"ledger_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
