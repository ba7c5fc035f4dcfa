"""A real ledger process and one bootstrapped node data directory, shared by the issuance tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testnet.ledger import LedgerProcess
from tests.integration.issuance.helpers import acenode
from tests.integration.settlement.helpers import make_node


@pytest.fixture(scope="package")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    proc = LedgerProcess(tmp_path_factory.mktemp("ledger") / "data", close_interval=0.1).start()
    yield proc
    assert proc.stop() == 0, proc.output()


@pytest.fixture(scope="package")
def node_dir(ledger: LedgerProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node whose DAO accounts are bootstrapped (``acenode dao bootstrap``)."""
    directory = make_node(tmp_path_factory.mktemp("issuance") / "node", ledger.url, channels=1)
    done = acenode("dao", "bootstrap", "-d", str(directory))
    assert done.returncode == 0, done.stderr
    return directory
