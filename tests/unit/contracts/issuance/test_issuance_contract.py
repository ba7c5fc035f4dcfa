"""Issuance: caps, locking, clawback rules, holdings, DAO-approved mints."""

from __future__ import annotations

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
    SendClawback,
    SendIssue,
    SendLockIssuer,
    initial_state,
    issuance_action_for,
    transition,
)
from contracts.moderation import EventMintApproved


def acct(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


ISSUER, DIST, HOLDER, OTHER = (acct(i) for i in range(20, 24))
ACE = Asset("ACE", ISSUER)
FILM = Asset("FILM1", ISSUER)
CTX = Context(epoch=1, close_time=1_000)


def step(state: IssuanceState, action: Action) -> tuple[IssuanceState, tuple[Event, ...]]:
    result = transition(state, action, CTX)
    assert not any(isinstance(e, EventRejected) for e in result.events), result.events
    return result.state, result.events


def refused(state: IssuanceState, action: Action) -> str:
    result = transition(state, action, CTX)
    assert state_hash(result.state) == state_hash(state)
    (event,) = result.events
    assert isinstance(event, EventRejected)
    return event.code


def make_state(cap: int = 1_000, clawback: bool = False) -> IssuanceState:
    state, _ = step(
        initial_state(),
        ActionDefineAsset(ACE, DIST, cap, AssetKind.GOVERNANCE),
    )
    state, _ = step(
        state,
        ActionDefineAsset(
            FILM,
            DIST,
            cap,
            AssetKind.ACCESS,
            grants="content:" + "ab" * 20,
            auth_required=True,
            revocable=clawback,
            clawback_enabled=clawback,
        ),
    )
    return state


def test_mint_up_to_the_cap_and_not_one_stroop_more() -> None:
    state = make_state(cap=1_000)
    state, events = step(state, ActionMint(ACE, DIST, 600))
    assert SendIssue(ACE, DIST, 600, ISSUER) in events
    state, _ = step(state, ActionMint(ACE, HOLDER, 400))
    assert refused(state, ActionMint(ACE, HOLDER, 1)) == "cap_exceeded"
    assert state.assets[ACE].holdings == {DIST: 600, HOLDER: 400}


def test_lock_requires_full_supply_and_then_forbids_minting_forever() -> None:
    state = make_state(cap=1_000)
    state, _ = step(state, ActionMint(ACE, DIST, 999))
    assert refused(state, ActionLock(ACE)) == "supply_not_complete"
    state, _ = step(state, ActionMint(ACE, DIST, 1))
    state, events = step(state, ActionLock(ACE))
    assert SendLockIssuer(ACE) in events
    assert refused(state, ActionLock(ACE)) == "already_locked"
    state, _ = step(state, ActionBurn(ACE, 10))  # burning is still possible...
    assert refused(state, ActionMint(ACE, DIST, 1)) == "asset_locked"  # ...re-minting is not
    assert state.assets[ACE].outstanding == 990


def test_clawback_only_on_clawback_enabled_assets_that_are_not_locked() -> None:
    state = make_state(cap=100)
    state, _ = step(state, ActionMint(FILM, HOLDER, 100))
    assert refused(state, ActionClawback(FILM, HOLDER, 10)) == "clawback_disabled"
    state = make_state(cap=100, clawback=True)
    state, _ = step(state, ActionMint(FILM, HOLDER, 100))
    assert refused(state, ActionClawback(FILM, HOLDER, 101)) == "insufficient_balance"
    state, events = step(state, ActionClawback(FILM, HOLDER, 30))
    assert SendClawback(FILM, HOLDER, 30) in events
    assert state.assets[FILM].holdings == {HOLDER: 70}
    assert refused(state, ActionMint(FILM, HOLDER, 1)) == "cap_exceeded"  # cap counts all minted
    locked = make_state(cap=100, clawback=True)
    locked, _ = step(locked, ActionMint(FILM, HOLDER, 100))
    locked, _ = step(locked, ActionLock(FILM))
    assert refused(locked, ActionClawback(FILM, HOLDER, 1)) == "asset_locked"


def test_transfers_move_holdings_and_a_payment_to_the_issuer_burns() -> None:
    state = make_state()
    state, _ = step(state, ActionMint(ACE, DIST, 500))
    state, events = step(state, ActionTransferOut(ACE, HOLDER, 200))
    assert SendIssue(ACE, HOLDER, 200, DIST) in events
    state, _ = step(state, ReceiveHolderTransfer(ACE, HOLDER, OTHER, 50))
    state, _ = step(state, ReceiveHolderTransfer(ACE, OTHER, ISSUER, 50))
    record = state.assets[ACE]
    assert record.holdings == {DIST: 300, HOLDER: 150}
    assert (record.issued, record.burned, record.outstanding) == (500, 50, 450)
    assert refused(state, ActionTransferOut(ACE, HOLDER, 301)) == "insufficient_balance"
    assert refused(state, ReceiveHolderTransfer(ACE, OTHER, HOLDER, 1)) == "insufficient_balance"


def test_a_dao_approved_mint_is_applied_once_per_proposal() -> None:
    state = make_state()
    action = issuance_action_for(EventMintApproved(7, ACE, HOLDER, 250))
    assert action == ActionMintByVote(7, ACE, HOLDER, 250)
    state, events = step(state, action)
    assert SendIssue(ACE, HOLDER, 250, ISSUER) in events
    assert refused(state, action) == "proposal_already_used"
    assert refused(state, ActionMintByVote(8, ACE, HOLDER, 10**6)) == "cap_exceeded"
    state, _ = step(state, ActionMintByVote(8, ACE, HOLDER, 1))
    assert state.assets[ACE].holdings == {HOLDER: 251}


def test_invalid_definitions_and_actions_are_refused_with_stable_codes() -> None:
    state = make_state()
    gov2 = Asset("ACE2", ISSUER)
    cases = {
        "asset_exists": ActionDefineAsset(ACE, DIST, 1, AssetKind.GOVERNANCE),
        "governance_asset_exists": ActionDefineAsset(gov2, DIST, 1, AssetKind.GOVERNANCE),
        "distribution_is_issuer": ActionDefineAsset(gov2, ISSUER, 1, AssetKind.ACCESS, "plan:x"),
        "invalid_cap": ActionDefineAsset(gov2, DIST, 0, AssetKind.ACCESS, "plan:x"),
        "invalid_grant": ActionDefineAsset(gov2, DIST, 1, AssetKind.ACCESS, "film"),
        "invalid_asset": ActionDefineAsset(Asset("XLM"), DIST, 1, AssetKind.ACCESS, "plan:x"),
        "clawback_requires_revocable": ActionDefineAsset(
            gov2, DIST, 1, AssetKind.ACCESS, "plan:x", clawback_enabled=True
        ),
        "unknown_asset": ActionMint(gov2, DIST, 1),
        "invalid_amount": ActionMint(ACE, DIST, 0),
        "invalid_recipient": ActionMint(ACE, ISSUER, 1),
        "invalid_proposal_id": ActionMintByVote(0, ACE, DIST, 1),
    }
    for code, action in cases.items():
        assert refused(state, action) == code, code
