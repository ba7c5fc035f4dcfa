"""A real ledger process and one bootstrapped node data directory, shared by the issuance
tests. The DAO is 2 of 3 validators; the node holds two of their keys, so every issuer
transaction needs (and gets) two validator signatures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelayer.keys import create_key_file
from testnet.ledger.process import LedgerProcess
from tests.integration.issuance.helpers import acenode, node_key
from tests.integration.settlement.helpers import make_node


@pytest.fixture(scope="package")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    proc = LedgerProcess(tmp_path_factory.mktemp("ledger") / "data", close_interval=0.1).start()
    yield proc
    assert proc.stop() == 0, proc.output()


@pytest.fixture(scope="package")
def node_dir(ledger: LedgerProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node whose DAO accounts are bootstrapped (``acenode dao bootstrap``)."""
    root = tmp_path_factory.mktemp("issuance")
    second, third = create_key_file(root / "v2.key"), create_key_file(root / "v3.key")
    directory = make_node(root / "node", ledger.url, channels=1)
    node = node_key(directory)
    validators = ", ".join(f'"{kp.public_key}"' for kp in (node, second, third))
    with (directory / "acenode.toml").open("a") as config:  # [stellar] is the last table
        config.write(
            f"threshold = 2\nvalidators = [{validators}]\n"
            f'signer_key_files = ["{directory / "node.key"}", "{root / "v2.key"}"]\n'
        )
    done = acenode("dao", "bootstrap", "-d", str(directory))
    assert done.returncode == 0, done.stderr
    return directory
