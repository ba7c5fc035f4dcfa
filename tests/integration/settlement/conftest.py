"""A real ``acenode ledger serve`` subprocess shared by the settlement tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testnet.ledger.process import LedgerProcess


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    proc = LedgerProcess(tmp_path_factory.mktemp("ledger") / "data", close_interval=0.1).start()
    yield proc
    assert proc.stop() == 0, proc.output()


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    return tmp_path / "node"
