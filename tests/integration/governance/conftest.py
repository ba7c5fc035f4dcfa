"""A node in this process whose clock the tests move (votes last days), in front of a real
ledger process and a bootstrapped DAO with a governance token, on SQLite and PostgreSQL.

The API is real uvicorn on loopback; the governance job is the node's own
(``node.jobs.governance``), run when a test asks so that each run is deterministic."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from node.api.app import create_app
from node.api.state import NodeState
from node.jobs.governance import governance_executor, governance_tick
from node.runtime import build_state
from servicelayer.config import load_settings
from servicelayer.governance.execution import Outcome
from servicelayer.keys import create_key_file
from testnet.ledger.process import LedgerProcess
from testnet.processes import free_port, wait_for
from tests.conftest import BACKENDS, fresh_database
from tests.integration.issuance.helpers import acenode, assets

GOV_CODE = "ACE"


class Clock:
    """The node's clock: real time at first, then wherever the test moves it."""

    def __init__(self) -> None:
        self.now = int(time.time())

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


class GovernedNode:
    """``acenode run``'s pieces in this process: state, API on uvicorn, the governance job."""

    def __init__(self, data_dir: Path, clock: Clock) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state: NodeState | None = None
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> GovernedNode:
        settings = load_settings(self.data_dir, port=self.port)
        self.state = build_state(settings, self.clock)
        config = uvicorn.Config(
            create_app(self.state), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(self._healthy, 20, f"the node on port {self.port}")
        return self

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None and self.state is not None
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.state.database.dispose()

    def restart(self) -> None:
        """A new process would have: a new state (runtime cache, engine), same database."""
        self.stop()
        self.start()

    def tick(self) -> Outcome:
        """One run of the governance job, as the scheduler runs it."""
        assert self.state is not None
        outcome = governance_tick(governance_executor(self.state))
        assert outcome is not None, "the governance job was busy"
        return outcome

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


@pytest.fixture(scope="package")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    proc = LedgerProcess(tmp_path_factory.mktemp("ledger") / "data", close_interval=0.1).start()
    yield proc
    assert proc.stop() == 0, proc.output()


@pytest.fixture(scope="package", params=BACKENDS)
def governed(
    request: pytest.FixtureRequest, ledger: LedgerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovernedNode]:
    """A bootstrapped DAO (1 of 1 validator) with the governance token issued."""
    root = tmp_path_factory.mktemp(f"governance-{request.param}")
    with fresh_database(request.param, root / "node" / "node.sqlite3") as url:
        yield from _governed(root, url, ledger)


def _governed(root: Path, url: str, ledger: LedgerProcess) -> Iterator[GovernedNode]:
    directory = root / "node"
    directory.mkdir()
    create_key_file(directory / "node.key")
    (directory / "acenode.toml").write_text(
        f'database_url = "{url}"\n'
        "[epochs]\nenabled = false\n[probes]\nenabled = false\n"
        f'[stellar]\nhorizon_url = "{ledger.url}"\n'
    )
    done = acenode("dao", "bootstrap", "-d", str(directory))
    assert done.returncode == 0, done.stderr
    assets(directory, "issue", GOV_CODE, "--cap", "1000000", "--amount", "1000")
    node = GovernedNode(directory, Clock()).start()
    yield node
    node.stop()
