"""No single key moves DAO funds: with 2 of 3 validators, one signature is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.dao.keys import DaoKeys
from servicelayer.errors import ConfigError, Unauthorized
from servicelayer.keys import create_key_file
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.service import SettlementService
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database
from testnet.ledger.process import LedgerProcess
from tests.integration.settlement.helpers import (
    PASSPHRASE,
    bootstrap,
    create_accounts,
    make_node,
    paid_by,
)

pytestmark = pytest.mark.integration


def test_one_validator_key_cannot_move_treasury_funds(
    ledger: LedgerProcess, node_dir: Path, tmp_path: Path
) -> None:
    make_node(node_dir, ledger.url, channels=1, threshold=2)
    node_key = Keypair.from_secret((node_dir / "node.key").read_text().strip())
    others = [create_key_file(tmp_path / f"validator-{i}.key") for i in range(2)]
    _set_validators(node_dir, [node_key.public_key, *(kp.public_key for kp in others)])
    treasury = bootstrap(node_dir)
    payee = Keypair.random().public_key
    create_accounts(ledger.url, [payee])
    plan = Plan.of([Payout(payee, NATIVE_TEXT, 50_000_000, "r")])
    (chunk,) = chunk_plan(plan.id, plan.payouts)
    channel = DaoKeys(node_dir).channels(1)[0]
    horizon = Horizon(ledger.url)
    seq = horizon.sequence(channel)
    assert seq is not None

    alone = EnvelopeBuilder(PASSPHRASE, treasury, [node_key]).build(chunk, channel, seq + 1)
    refused = horizon.submit(alone.xdr)
    assert refused.ok is False
    assert "op_bad_auth" in refused.op_codes or refused.tx_code == "tx_bad_auth"
    assert horizon.transaction(alone.hash) is None

    # The node refuses to start a settlement it cannot sign...
    with pytest.raises(ConfigError), wiring.settlement(load_settings(node_dir)):
        pass
    # ...and a settlement signed by one key is refused by the ledger, paying nobody.
    db = Database(f"sqlite:///{tmp_path / 's.sqlite3'}")
    db.upgrade()
    service = SettlementService(
        SettlementStore(db), horizon, EnvelopeBuilder(PASSPHRASE, treasury, [node_key]), [channel]
    )
    service.prepare(plan, source="t")
    with pytest.raises(Unauthorized):
        service.settle(plan.id)
    assert paid_by(ledger.url, treasury) == {}

    two = EnvelopeBuilder(PASSPHRASE, treasury, [node_key, others[0]])
    service = SettlementService(SettlementStore(db), horizon, two, [channel])
    assert service.settle(plan.id).status == "paid"  # the stored envelope is replaced in its slot
    assert paid_by(ledger.url, treasury) == {(payee, NATIVE_TEXT): 50_000_000}
    db.dispose()
    horizon.close()


def _set_validators(node_dir: Path, validators: list[str]) -> None:
    lines = [
        line
        for line in (node_dir / "acenode.toml").read_text().splitlines()
        if not line.startswith("validators")
    ]
    items = ", ".join(f'"{v}"' for v in validators)
    (node_dir / "acenode.toml").write_text("\n".join([*lines, f"validators = [{items}]"]) + "\n")
