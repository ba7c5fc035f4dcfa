"""Issuance as a state machine: supply equals holdings, never above the cap, replayable."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.core import Action, Asset, Context, Event, EventRejected
from contracts.issuance import (
    ActionBurn,
    ActionClawback,
    ActionDefineAsset,
    ActionLock,
    ActionMint,
    ActionMintByVote,
    ActionTransferOut,
    AssetKind,
    IssuanceState,
    ReceiveHolderTransfer,
    initial_state,
    transition,
)

ACCOUNTS = [Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key for n in range(40, 45)]
ISSUER, DIST = ACCOUNTS[0], ACCOUNTS[1]
ASSETS = [Asset("ACE", ISSUER), Asset("FILM", ISSUER), Asset("PLAN", ACCOUNTS[2])]
assets = st.sampled_from(ASSETS)
accounts = st.sampled_from(ACCOUNTS)
amounts = st.one_of(st.integers(min_value=1, max_value=300), st.sampled_from([0, -1, 10**6]))
CTX = Context(epoch=1, close_time=1_000)


class IssuanceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: IssuanceState = initial_state()
        self.log: list[Action] = []

    def apply(self, action: Action) -> tuple[Event, ...]:
        before = state_hash(self.state)
        result = transition(self.state, action, CTX)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert state_hash(result.state) == before
            assert len(result.events) == 1
        self.state = result.state
        self.log.append(action)
        return result.events

    @initialize(
        caps=st.lists(st.integers(1, 1_000), min_size=3, max_size=3),
        clawback=st.lists(st.booleans(), min_size=3, max_size=3),
    )
    def define_all(self, caps: list[int], clawback: list[bool]) -> None:
        for n, asset in enumerate(ASSETS):
            kind = AssetKind.GOVERNANCE if n == 0 else AssetKind.ACCESS
            grants = "" if n == 0 else f"plan:{asset.code.lower()}"
            flags = {"revocable": clawback[n], "clawback_enabled": clawback[n]}
            events = self.apply(ActionDefineAsset(asset, DIST, caps[n], kind, grants, **flags))
            assert not isinstance(events[0], EventRejected)

    @rule(
        asset=assets,
        distribution=accounts,
        cap=st.integers(min_value=0, max_value=1_000),
        governance=st.booleans(),
        clawback=st.booleans(),
        revocable=st.booleans(),
    )
    def define(
        self,
        asset: Asset,
        distribution: str,
        cap: int,
        governance: bool,
        clawback: bool,
        revocable: bool,
    ) -> None:
        kind = AssetKind.GOVERNANCE if governance else AssetKind.ACCESS
        grants = "" if governance else f"plan:{asset.code.lower()}"
        self.apply(
            ActionDefineAsset(
                asset,
                distribution,
                cap,
                kind,
                grants,
                revocable=revocable,
                clawback_enabled=clawback,
            )
        )

    @rule(asset=assets, to=accounts, amount=amounts)
    def mint(self, asset: Asset, to: str, amount: int) -> None:
        self.apply(ActionMint(asset, to, amount))

    @rule(pid=st.integers(min_value=0, max_value=5), asset=assets, to=accounts, amount=amounts)
    def mint_by_vote(self, pid: int, asset: Asset, to: str, amount: int) -> None:
        used = pid in self.state.vote_mints
        events = self.apply(ActionMintByVote(pid, asset, to, amount))
        if used:
            assert events == (EventRejected("ActionMintByVote", "proposal_already_used"),)

    @rule(asset=assets, to=accounts, amount=amounts)
    def transfer_out(self, asset: Asset, to: str, amount: int) -> None:
        self.apply(ActionTransferOut(asset, to, amount))

    @rule(asset=assets, source=accounts, to=accounts, amount=amounts)
    def holder_transfer(self, asset: Asset, source: str, to: str, amount: int) -> None:
        self.apply(ReceiveHolderTransfer(asset, source, to, amount))

    @rule(asset=assets, amount=amounts)
    def burn(self, asset: Asset, amount: int) -> None:
        self.apply(ActionBurn(asset, amount))

    @rule(asset=assets, holder=accounts, amount=amounts)
    def clawback(self, asset: Asset, holder: str, amount: int) -> None:
        record = self.state.assets.get(asset)
        events = self.apply(ActionClawback(asset, holder, amount))
        if record is not None and (record.locked or not record.flags.clawback_enabled):
            assert isinstance(events[0], EventRejected)

    @rule(asset=assets, fill=st.booleans())
    def lock(self, asset: Asset, fill: bool) -> None:
        record = self.state.assets.get(asset)
        if fill and record is not None and not record.locked and record.issued < record.cap:
            self.apply(ActionMint(asset, DIST, record.cap - record.issued))
        events = self.apply(ActionLock(asset))
        if fill and record is not None and not record.locked:
            assert not isinstance(events[0], EventRejected)

    @invariant()
    def supply_equals_holdings_and_respects_the_cap(self) -> None:
        for record in self.state.assets.values():
            assert sum(record.holdings.values()) == record.outstanding
            assert 0 <= record.outstanding <= record.issued <= record.cap
            assert all(amount > 0 for amount in record.holdings.values())
            assert record.asset.issuer not in record.holdings
            assert not record.locked or record.issued == record.cap

    def teardown(self) -> None:
        replayed = initial_state()
        for action in self.log:
            replayed = transition(replayed, action, CTX).state
        assert state_hash(replayed) == state_hash(self.state)


IssuanceMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestIssuanceMachine = IssuanceMachine.TestCase
