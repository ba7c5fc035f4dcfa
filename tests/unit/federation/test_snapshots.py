"""Agreed balance snapshots (``servicelayer.federation.snapshots``) on a real SQLite
database and the real contracts, with a stand-in for Horizon's holder list (the ledger's
side is exercised end to end by tests/integration/federation/test_agreed_governance.py):
what a validator reads for the proposals waiting, that the input set's hash commits to it,
and that a malformed one is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from stellar_sdk import Keypair

from contracts.core import Asset
from contracts.moderation import ActionPropose, ModerationState, ProposalKind
from servicelayer.errors import InvalidInput, LedgerUnavailable
from servicelayer.federation.batches import Inputs, Last
from servicelayer.federation.snapshots import AgreedGovernance, Snapshot
from servicelayer.ledger.records import LedgerHead
from servicelayer.probe_settings import GenesisToken
from servicelayer.runtime.contracts import default_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import api_context
from servicelayer.storage.db import Database

A, B, TREASURY, ISSUER, DIST = sorted(Keypair.random().public_key for _ in range(5))
TOKEN = GenesisToken(code="GOV", issuer=ISSUER, distribution=DIST, cap=1000, issued=1000)
AT = 1_800_000_000


@dataclass
class Holders:
    """Horizon's answers: the latest ledger, then the holders with the newest change."""

    heads: list[int]
    readings: list[tuple[dict[str, int], int]]
    asked: list[Asset] = field(default_factory=list)

    def head(self) -> LedgerHead:
        return LedgerHead(self.heads.pop(0), AT)

    def holders(self, asset: Asset) -> tuple[dict[str, int], int]:
        self.asked.append(asset)
        return self.readings.pop(0)


def governed(db: Database, *starts: int) -> tuple[ContractRuntime, AgreedGovernance]:
    runtime = ContractRuntime(default_specs(governance=TOKEN))
    with db.session(write=True) as s:
        runtime.load(s)
        for i, start in enumerate(starts):
            action = ActionPropose(A, ProposalKind.DELIST, start, f"{i:02x}" * 20)
            runtime.apply(s, "moderation", [action], api_context(AT, 60))
    return runtime, AgreedGovernance(runtime, 60)


def test_the_snapshot_read_weighs_every_waiting_proposal_without_the_daos_holdings(
    db: Database,
) -> None:
    runtime, governance = governed(db, 100, 120)
    held = {A: 60, B: 40, DIST: 900, TREASURY: 5}
    feed = Holders([130], [(held, 110)])
    with db.session() as s:
        snapshot = governance.read(s, feed, TREASURY)  # type: ignore[arg-type]
    assert feed.asked == [Asset("GOV", ISSUER)]
    # unchanged since 110: the first proposal's balances are those of ledger 110
    assert snapshot == Snapshot(((1, 110), (2, 120)), ((A, 60), (B, 40)))
    with db.session(write=True) as s:
        governance.record(s, snapshot, AT)
        state: ModerationState = runtime.current(s, "moderation")[0]
    assert [p.snapshot for p in state.proposals.values()] == [{A: 60, B: 40}] * 2
    with db.session() as s:  # nothing waits any more
        assert governance.read(s, Holders([], []), TREASURY) is None  # type: ignore[arg-type]


def test_holders_that_change_while_read_are_read_again_then_refused(db: Database) -> None:
    _, governance = governed(db, 100)
    moved = Holders([130, 131], [({A: 1}, 131), ({A: 2}, 131)])
    with db.session() as s:
        assert governance.read(s, moved, TREASURY) == Snapshot(((1, 131),), ((A, 2),))  # type: ignore[arg-type]
        restless = Holders([1, 2, 3], [({A: 1}, 5)] * 3)
        with pytest.raises(LedgerUnavailable):
            governance.read(s, restless, TREASURY)  # type: ignore[arg-type]
        only_the_dao = Holders([130], [({DIST: 1000}, 90)])
        assert governance.read(s, only_the_dao, TREASURY) is None  # type: ignore[arg-type]


def test_the_input_sets_hash_commits_to_its_snapshot() -> None:
    sets = (Last(A, 0, "a" * 64), Last(B, -1, ""))
    bare = Inputs(7, sets)
    weighed = Inputs(7, sets, Snapshot(((1, 110),), ((A, 60),)))
    other = Inputs(7, sets, Snapshot(((1, 110),), ((A, 61),)))
    assert len({bare.hash, weighed.hash, other.hash}) == 3
    again = Inputs.of(7, weighed.body(), [A, B], weighed.snapshot.body())  # type: ignore[union-attr]
    assert again == weighed and again.hash == weighed.hash


@pytest.mark.parametrize(
    "body",
    [
        {"proposals": [[1, 110]]},
        {"proposals": [], "balances": [[A, 1]]},
        {"proposals": [[1, 110]], "balances": []},
        {"proposals": [[0, 110]], "balances": [[A, 1]]},
        {"proposals": [[1, 110]], "balances": [[A, 0]]},
        {"proposals": [[1, 110]], "balances": [[B, 1], [A, 1]]},
        {"proposals": [[1, 110]], "balances": [[A, 1], [A, 1]]},
        {"proposals": [[2, 1], [1, 1]], "balances": [[A, 1]]},
        {"proposals": [[1, 1], [1, 2]], "balances": [[A, 1]]},
        {"proposals": [[1, 1]], "balances": [[A, 1], [A, 2]]},
        {"proposals": [[1, "110"]], "balances": [[A, 1]]},
        {"proposals": [[1, 110]], "balances": [["short", 1]]},
        {"proposals": [[1, 110]], "balances": [[A, 1.5]]},
        [[1, 110]],
    ],
)
def test_a_malformed_snapshot_is_refused(body: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        Snapshot.of(body)
    assert refused.value.code == "bad_message"
