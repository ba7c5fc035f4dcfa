"""The API tests share one real node per database backend (starting one takes seconds);
each test uses fresh accounts and content ids, so tests do not see each other's data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import BACKENDS, PG_ADMIN
from tests.support import NodeProcess

# One node serves every API test from loopback (hundreds of sign-ins, refused sign-ins and
# writes a minute): its limits are raised here, the defaults stay as they are.
HIGH_LIMITS = {
    f"ACENODE_LIMITS__{rule.upper()}": "100000/minute"
    for rule in (
        "sign_in_per_address",
        "failed_sign_in_per_address",
        "failed_sign_in_per_account",
        "writes_per_account",
        "writes_per_address",
        "ingest_per_address",
    )
}


@pytest.fixture(scope="session", params=BACKENDS)
def api_node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = tmp_path_factory.mktemp(f"api-{request.param}")
    name = f"acenode_api_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'node.sqlite3'}"
    else:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    proc = NodeProcess(root / "node", url, **HIGH_LIMITS)
    proc.start()
    yield proc
    if proc.running:
        assert proc.stop() == 0, proc.output()
    if request.param != "sqlite":
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def node(api_node: NodeProcess) -> NodeProcess:
    return api_node
