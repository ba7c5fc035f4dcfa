"""The watcher's storage on real SQLite and PostgreSQL: the balance index answers "as of
ledger L", proposals get snapshots from it once it reaches their start ledger, and a
payment is credited once however often it is seen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stellar_sdk import Keypair

from contracts.catalog import ActionPublish
from contracts.core import NATIVE, Asset, Context
from contracts.issuance import ActionDefineAsset, AssetKind
from contracts.moderation import (
    ActionPropose,
    ActionTick,
    ActionVote,
    ProposalKind,
    ReceiveBalanceSnapshot,
    VoteChoice,
)
from servicelayer.governance.execution import apply_moderation
from servicelayer.ledger.records import LedgerHead, Memo, ObservedPayment
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import watcher_repo as repo
from servicelayer.storage.db import Database
from servicelayer.storage.watcher_models import TreasuryPayment
from servicelayer.watcher.balances import (
    governance_asset,
    record_holders,
    record_snapshots,
)
from servicelayer.watcher.payments import credit
from tests.conftest import BACKENDS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True),
]
A, B, C, TREASURY, ISSUER, DIST = (Keypair.random().public_key for _ in range(6))
GOV = Asset("GOV", ISSUER)
CTX = Context(0, 1_800_000_000)


def runtime() -> ContractRuntime:
    return ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])


def test_balances_are_answered_as_of_a_ledger(db: Database) -> None:
    with db.session(write=True) as s:
        assert repo.record_balances(s, "GOV:X", 10, {A: 5, B: 7}) == 2
        assert repo.record_balances(s, "GOV:X", 20, {A: 5, B: 3, C: 1}) == 2
        assert repo.record_balances(s, "GOV:X", 30, {C: 4}) == 3  # A and B left
    with db.session() as s:
        assert repo.balances_at(s, "GOV:X", 9) == {}
        assert repo.balances_at(s, "GOV:X", 10) == {A: 5, B: 7}
        assert repo.balances_at(s, "GOV:X", 25) == {A: 5, B: 3, C: 1}
        assert repo.balances_at(s, "GOV:X", 30) == {C: 4}
        assert repo.balances_at(s, "OTHER:X", 30) == {}


def test_proposals_get_the_snapshot_of_their_start_ledger(db: Database) -> None:
    rt = runtime()
    with db.session(write=True) as s:
        assert governance_asset(rt, s) is None
        rt.apply(s, "issuance", [ActionDefineAsset(GOV, DIST, 10**12, AssetKind.GOVERNANCE)], CTX)
        token = governance_asset(rt, s)
        assert token is not None and token.asset == GOV
        record_holders(s, GOV, LedgerHead(100, 1_800_000_000), {A: 60, B: 30, DIST: 900})
        propose = ActionPropose(A, ProposalKind.BAN, 105, target=C)
        rt.apply(s, "moderation", [propose], CTX)
        assert record_snapshots(rt, s, token, 3600) == []  # the index is not at 105 yet
        record_holders(s, GOV, LedgerHead(105, 1_800_000_030), {A: 60, B: 30, TREASURY: 9})
        record_holders(s, GOV, LedgerHead(110, 1_800_000_060), {A: 1, B: 89})
        dao = frozenset([TREASURY])
        assert record_snapshots(rt, s, token, 3600, dao) == [1]
        assert record_snapshots(rt, s, token, 3600, dao) == []  # once
    with db.session() as s:
        proposal = rt.current(s, "moderation")[0].proposals[1]
        assert repo.balances_at(s, "GOV:" + ISSUER, 105) == {A: 60, B: 30, TREASURY: 9}
    # what the DAO itself holds (distribution, treasury) has no vote
    assert proposal.snapshot == {A: 60, B: 30}


def payment(payment_id: str, memo: Memo, amount: int = 5_000_000) -> ObservedPayment:
    return ObservedPayment(
        payment_id, payment_id, "ab" * 32, 50, 1_800_000_000, A, TREASURY, NATIVE, amount, memo,
        successful=True,
    )  # fmt: skip


def test_a_payment_is_credited_once_and_an_unknown_memo_is_kept(db: Database) -> None:
    rt = runtime()
    sub = payment("1001", Memo("text", "sub"))
    with db.session(write=True) as s:
        assert credit(rt, s, sub, TREASURY, 3600).status == "credited"  # type: ignore[union-attr]
        assert credit(rt, s, sub, TREASURY, 3600) is None
        odd = credit(rt, s, payment("1002", Memo("id", "77"), 9), TREASURY, 3600)
        assert odd is not None and (odd.status, odd.detail) == (
            "unrouted",
            "no_route_for_id_memo",
        )
        bad = payment("1003", Memo("text", "sub"), 0)
        assert credit(rt, s, bad, TREASURY, 3600).status == "refused"  # type: ignore[union-attr]
        outbound = payment("1004", Memo("text", "sub"))
        assert credit(rt, s, outbound, A, 3600) is None  # the payer's own account
    with db.session() as s:
        credits = rt.current(s, "subscriptions")[0].credits
        assert credits == {(A, NATIVE): 5_000_000}
        assert s.scalar(select(func.count()).select_from(TreasuryPayment)) == 3
        assert [r.payment_id for r in repo.payments(s, "unrouted")] == ["1002"]


def test_an_appeal_bond_files_the_appeal_and_hides_the_delisted_content(db: Database) -> None:
    rt = runtime()
    film = "ab" * 20
    bond = 1_000_000_000  # gov.appeal_bond
    with db.session(write=True) as s:
        rt.apply(s, "catalog", [ActionPublish(film, "A film", (), C)], CTX)
        delist = ActionPropose(A, ProposalKind.DELIST, 100, target=film)
        rt.apply(s, "moderation", [delist, ReceiveBalanceSnapshot(1, 100, ((A, 100),))], CTX)
        rt.apply(s, "moderation", [ActionVote(1, A, VoteChoice.YES, "", "00" * 32)], CTX)
        executed_at = CTX.close_time + 4 * 86_400  # after the vote (3 days) and timelock (1)
        apply_moderation(rt, s, [ActionTick()], Context(1, executed_at))
        assert rt.current(s, "catalog")[0].items[film].status == "delisted"

        def paid(payment_id: str, memo: str, amount: int) -> ObservedPayment:
            return ObservedPayment(
                payment_id, payment_id, "cd" * 32, 900, executed_at + 60, B, TREASURY,
                NATIVE, amount, Memo("text", memo), successful=True,
            )  # fmt: skip

        short = credit(rt, s, paid("2001", "appeal:1", bond - 1), TREASURY, 3600)
        assert short is not None and short.status == "refused"  # kept for the operators
        filed = credit(rt, s, paid("2002", "Appeal:1", bond), TREASURY, 3600)
        assert filed is not None and (filed.status, filed.route) == ("credited", "appeal")
        state = rt.current(s, "moderation")[0]
        appeal = state.proposals[2]
    assert (appeal.kind, appeal.proposer, appeal.start_ledger) == ("appeal", B, 900)
    with db.session() as s:
        assert rt.current(s, "catalog")[0].items[film].status == "hidden"  # not destroyed
