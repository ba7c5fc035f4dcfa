"""A real ledger (``acenode ledger serve``, 0.1 s closes) and, per database backend, a node
whose DAO is bootstrapped on it and whose governance token is issued, with its ledger
watcher following that ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.keys import create_key_file
from testnet.ledger.process import LedgerProcess
from tests.conftest import BACKENDS, fresh_database
from tests.integration.issuance.helpers import assets, dao_public
from tests.integration.settlement.helpers import bootstrap
from tests.support import NodeProcess


@dataclass
class Watched:
    node: NodeProcess
    ledger: LedgerProcess
    directory: Path
    treasury: str
    distribution: str
    governance: tuple[str, str]  # code, issuer


@pytest.fixture(scope="package")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    proc = LedgerProcess(tmp_path_factory.mktemp("ledger") / "data", close_interval=0.1).start()
    yield proc
    assert proc.stop() == 0, proc.output()


@pytest.fixture(scope="module", params=BACKENDS)
def watched(
    request: pytest.FixtureRequest,
    ledger: LedgerProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Watched]:
    root = tmp_path_factory.mktemp(f"watched-{request.param}")
    with fresh_database(request.param, root / "node.sqlite3") as url:
        started = start_watched(root, url, ledger)
        yield started
        node = started.node
        if node.running:
            assert node.stop() == 0, node.output()


def start_watched(root: Path, url: str, ledger: LedgerProcess, **env: str) -> Watched:
    """A node on ``url`` with its DAO bootstrapped and GOV issued, watching ``ledger``."""
    directory = root / "node"
    directory.mkdir()
    create_key_file(directory / "node.key")
    (directory / "acenode.toml").write_text(
        f'database_url = "{url}"\n\n[stellar]\nhorizon_url = "{ledger.url}"\nchannels = 1\n'
    )
    treasury = bootstrap(directory)
    gov = assets(directory, "issue", "GOV", "--kind", "governance", "--cap", "1000",
                 "--amount", "1000")  # fmt: skip
    node = NodeProcess(
        directory,
        url,
        ACENODE_STELLAR__HORIZON_URL=ledger.url,
        ACENODE_STELLAR__EMBEDDED_LEDGER="false",
        **{
            "ACENODE_WATCHER__INTERVAL_SECONDS": "0.2",
            "ACENODE_GOVERNANCE__INTERVAL_SECONDS": "1",
            **env,
        },
    )
    node.start()
    return Watched(
        node,
        ledger,
        directory,
        treasury,
        dao_public(directory, "distribution"),
        (gov["code"], gov["issuer"]),
    )


def node_key(directory: Path) -> Keypair:
    return Keypair.from_secret((directory / "node.key").read_text().strip())
