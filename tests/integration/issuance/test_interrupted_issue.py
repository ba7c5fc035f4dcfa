"""An issue whose mint submission loses its answer: running it again mints exactly once.

A real fault-injecting proxy sits between the CLI and a real ledger; it spoils the third
submission of the issue (1: the new issuer's signers, 2: the distribution's trustline,
3: the mint) by dropping the connection after or before forwarding it, and the client's
own second try of that same envelope (4) as well, so the answer is lost for good.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stellar_sdk import Server

from testnet.faults import Fault, FaultProxy
from testnet.ledger.process import LedgerProcess
from tests.integration.issuance.helpers import INFOHASH, assets, holding, refused

pytestmark = pytest.mark.integration
MINT_SUBMISSIONS = (3, 4)  # the mint, and the client's retry on a fresh connection


@pytest.fixture
def proxy(ledger: LedgerProcess, request: pytest.FixtureRequest) -> Iterator[FaultProxy]:
    fault: Fault = request.param
    proxy = FaultProxy(ledger.url, lambda n: fault if n in MINT_SUBMISSIONS else None)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.mark.parametrize(
    ("proxy", "code"),
    [
        pytest.param(Fault.DROP_AFTER_FORWARD, "LOSTA", id="drop-after-forward"),
        pytest.param(Fault.DROP_BEFORE_FORWARD, "LOSTB", id="drop-before-forward"),
    ],
    indirect=["proxy"],
)
def test_rerunning_an_interrupted_issue_mints_once(
    ledger: LedgerProcess, proxy: FaultProxy, node_dir: Path, code: str
) -> None:
    args = ("issue", code, "--kind", "access", "--content", INFOHASH, "--cap", "100")
    through_proxy = {"ACENODE_STELLAR__HORIZON_URL": proxy.url}
    error = refused(node_dir, *args, "--amount", "7", env=through_proxy)
    assert "run the command again" in error
    assert sum(proxy.injected.values()) == 2
    listed = {a["code"]: a for a in assets(node_dir, "list")["assets"]}
    assert listed[code]["unfinished"] == 1  # the operator sees what is left to do

    again = assets(node_dir, *args, "--amount", "7")
    assert again["resumed"] is True and again["issued"] == 70_000_000
    once_more = assets(node_dir, *args, "--amount", "7")
    assert once_more["applied"] == []  # nothing left to do

    issuer, distribution = again["issuer"], again["distribution"]
    assert holding(ledger.url, distribution, code, issuer) == 70_000_000
    with Server(ledger.url) as server:
        records = server.payments().for_account(issuer).limit(50).call()["_embedded"]["records"]
    mints = [r for r in records if r["type"] == "payment" and r["from"] == issuer]
    assert len(mints) == 1
