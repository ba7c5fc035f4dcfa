"""The API tests share one real node per database backend (starting one takes seconds);
each test uses fresh accounts and content ids, so tests do not see each other's data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servicelayer.throttle.settings import RULES
from tests.conftest import BACKENDS, fresh_database
from tests.support import NodeProcess

# One node serves every API test from loopback (hundreds of sign-ins, refused sign-ins and
# writes a minute): its limits are raised here, the defaults stay as they are.
HIGH_LIMITS = {f"ACENODE_LIMITS__{rule.upper()}": "100000/minute" for rule in RULES}


@pytest.fixture(scope="session", params=BACKENDS)
def api_node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = tmp_path_factory.mktemp(f"api-{request.param}")
    with fresh_database(request.param, root / "node.sqlite3") as url:
        proc = NodeProcess(root / "node", url, **HIGH_LIMITS)
        proc.start()
        yield proc
        if proc.running:
            assert proc.stop() == 0, proc.output()


@pytest.fixture
def node(api_node: NodeProcess) -> NodeProcess:
    return api_node
