"""Submissions lost between the settlement and the ledger: still paid exactly once.

A real fault-injecting proxy sits between the settlement and a real ledger process; it
answers 504 to submissions the ledger applied, or drops the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.status import PlanStatus, SubmissionStatus
from testnet.faults import Fault, FaultProxy
from testnet.ledger.process import LedgerProcess
from tests.integration.settlement.helpers import (
    bootstrap,
    create_accounts,
    make_node,
    owed,
    paid_by,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def payees(ledger: LedgerProcess) -> list[str]:
    accounts = [Keypair.random().public_key for _ in range(60)]
    create_accounts(ledger.url, accounts[:54])  # six payees get claimable balances
    return accounts


@pytest.fixture
def proxy(ledger: LedgerProcess, request: pytest.FixtureRequest) -> Iterator[FaultProxy]:
    fault: Fault = request.param
    proxy = FaultProxy(ledger.url, lambda n: fault if n % 2 == 1 else None)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.mark.parametrize(
    "proxy",
    [
        pytest.param(Fault.GATEWAY_TIMEOUT_AFTER_APPLY, id="504-after-apply"),
        pytest.param(Fault.DROP_AFTER_FORWARD, id="drop-after-forward"),
        pytest.param(Fault.DROP_BEFORE_FORWARD, id="drop-before-forward"),
    ],
    indirect=True,
)
def test_lost_answers_never_pay_twice(
    ledger: LedgerProcess, proxy: FaultProxy, payees: list[str], node_dir: Path
) -> None:
    make_node(node_dir, ledger.url, channels=3)
    treasury = bootstrap(node_dir)
    # From now on the settlement talks to the ledger through the proxy only.
    toml = node_dir / "acenode.toml"
    toml.write_text(toml.read_text().replace(ledger.url, proxy.url))
    plan = Plan.of([Payout(a, NATIVE_TEXT, 7_000_000 + i, f"f{i}") for i, a in enumerate(payees)])

    with wiring.settlement(load_settings(node_dir)) as service:
        service.prepare(plan, source="faults", chunk_size=10)
        summary = service.settle(plan.id)
        envelopes = service.store.transactions(plan.id)

    assert summary.status == PlanStatus.PAID
    assert sum(proxy.injected.values()) >= 3
    applied = [e for e in envelopes if e.status == SubmissionStatus.APPLIED]
    assert sorted(e.chunk_index for e in applied) == list(range(6))
    assert paid_by(ledger.url, treasury) == owed(plan.payouts)
