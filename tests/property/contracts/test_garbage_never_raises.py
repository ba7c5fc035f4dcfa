"""Whatever arrives in an action's fields, a transition never raises: it refuses."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stellar_sdk import Keypair

from contracts import catalog, issuance, moderation, rewards
from contracts.canonical import state_hash
from contracts.core import NATIVE, Asset, Context, EventRejected

ACCOUNT = Keypair.from_raw_ed25519_seed(bytes([70]) * 32).public_key
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.just(ACCOUNT),
    st.just(ACCOUNT),
    st.just(1),
    st.just(5),
    st.just("ab" * 20),
    st.just(NATIVE),
    st.just(Asset("ACE", ACCOUNT)),
    st.builds(Asset, st.one_of(st.text(max_size=3), st.integers()), st.text(max_size=3)),
)
garbage = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner)),
    max_leaves=6,
)

CTX = Context(epoch=1, close_time=1_000)
GOV = Asset("ACE", ACCOUNT)
OTHER = Keypair.from_raw_ed25519_seed(bytes([71]) * 32).public_key
THIRD = Keypair.from_raw_ed25519_seed(bytes([72]) * 32).public_key


def populated(transition: Any, state: Any, *actions: Any) -> Any:
    for action in actions:
        result = transition(state, action, CTX)
        assert not any(isinstance(e, EventRejected) for e in result.events), result.events
        state = result.state
    return state


CATALOG = populated(
    catalog.transition,
    catalog.initial_state(),
    catalog.ActionPublish("ab" * 20, "A title", ("tag",), ACCOUNT),
    catalog.ActionPublish("cd" * 20, "Hidden", (), ACCOUNT),
    catalog.ReceiveContentHidden("cd" * 20),
)
MODERATION = populated(
    moderation.transition,
    moderation.initial_state(),
    moderation.ActionPropose(ACCOUNT, moderation.ProposalKind.DELIST, 5, "ab" * 20),
    moderation.ReceiveBalanceSnapshot(1, 5, ((ACCOUNT, 10),)),
    moderation.ActionPropose(ACCOUNT, moderation.ProposalKind.BAN, 5, OTHER),
    moderation.ActionDelegate(OTHER, ACCOUNT, 6),
)
REWARDS = populated(
    rewards.transition,
    rewards.initial_state(),
    rewards.ReceiveEpochFacts(1, NATIVE, (("ab" * 20, 100),), ((ACCOUNT, "ab" * 20, 5),)),
    rewards.ActionPlanPayouts(1, 1),
)
ISSUANCE = populated(
    issuance.transition,
    issuance.initial_state(),
    issuance.ActionDefineAsset(
        GOV, OTHER, 1_000, issuance.AssetKind.GOVERNANCE, revocable=True, clawback_enabled=True
    ),
    issuance.ActionMint(GOV, OTHER, 500),
)

IH = "ab" * 20
# one plausible action per class; the test replaces some of its fields with garbage
TEMPLATES: list[tuple[Any, Any, Any]] = [
    (catalog.transition, CATALOG, catalog.ActionPublish(IH, "T", ("t",), ACCOUNT, 5, 5)),
    (catalog.transition, CATALOG, catalog.ReceiveContentDelisted(IH)),
    (catalog.transition, CATALOG, catalog.ReceiveContentHidden(IH)),
    (catalog.transition, CATALOG, catalog.ReceiveContentRelisted("cd" * 20)),
    (catalog.transition, CATALOG, catalog.ReceiveChannelBanned(ACCOUNT)),
    (
        moderation.transition,
        MODERATION,
        moderation.ActionPropose(
            ACCOUNT, moderation.ProposalKind.PARAM, 5, "gov.freeze_s", 60, OTHER, GOV, ""
        ),
    ),
    (
        moderation.transition,
        MODERATION,
        moderation.ActionPropose(ACCOUNT, moderation.ProposalKind.MINT, 5, "", 5, OTHER, GOV),
    ),
    (moderation.transition, MODERATION, moderation.ReceiveBalanceSnapshot(2, 5, ((OTHER, 1),))),
    (
        moderation.transition,
        MODERATION,
        moderation.ActionVote(1, ACCOUNT, moderation.VoteChoice.YES, "", "00" * 32, 1),
    ),
    (moderation.transition, MODERATION, moderation.ActionDelegate(ACCOUNT, OTHER, 7)),
    (moderation.transition, MODERATION, moderation.ActionUndelegate(OTHER, 7)),
    (moderation.transition, MODERATION, moderation.ActionCancel(1, ACCOUNT)),
    (moderation.transition, MODERATION, moderation.ActionFinalize(1)),
    (moderation.transition, MODERATION, moderation.ActionExecute(1)),
    (
        moderation.transition,
        MODERATION,
        moderation.ActionAppeal(1, OTHER, 6, NATIVE, 10**9, "tx"),
    ),
    (
        rewards.transition,
        REWARDS,
        rewards.ReceiveEpochFacts(
            1, GOV, ((IH, 5),), ((OTHER, IH, 5),), ((OTHER, IH, 5),), ((OTHER, 1),), ((OTHER, 1),)
        ),
    ),
    (rewards.transition, REWARDS, rewards.ActionPlanPayouts(1, 1)),
    (rewards.transition, REWARDS, rewards.ReceivePayoutSettled("rewards-1-1")),
    (rewards.transition, REWARDS, rewards.ReceivePayoutFailed("rewards-1-1")),
    (rewards.transition, REWARDS, rewards.ReceiveParameterChanged("reward.ads_bps", 100)),
    (
        issuance.transition,
        ISSUANCE,
        issuance.ActionDefineAsset(
            Asset("FILM", ACCOUNT), OTHER, 10, issuance.AssetKind.ACCESS, "plan:x", True, True, True
        ),
    ),
    (issuance.transition, ISSUANCE, issuance.ActionMint(GOV, OTHER, 5)),
    (issuance.transition, ISSUANCE, issuance.ActionMintByVote(1, GOV, OTHER, 5)),
    (issuance.transition, ISSUANCE, issuance.ActionTransferOut(GOV, THIRD, 5)),
    (issuance.transition, ISSUANCE, issuance.ReceiveHolderTransfer(GOV, OTHER, THIRD, 5)),
    (issuance.transition, ISSUANCE, issuance.ActionBurn(GOV, 5)),
    (issuance.transition, ISSUANCE, issuance.ActionClawback(GOV, OTHER, 5)),
    (issuance.transition, ISSUANCE, issuance.ActionLock(GOV)),
]
CASES = [
    pytest.param(transition, state, template, id=f"{type(template).__name__}-{n}")
    for n, (transition, state, template) in enumerate(TEMPLATES)
]


# these depend on time passing, which the fixed states do not have
TIME_BOUND = {
    "ActionFinalize": "voting_not_ended",
    "ActionExecute": "not_passed",
    "ActionAppeal": "not_appealable",
    "ActionLock": "supply_not_complete",
}


def test_templates_are_accepted_so_mutations_reach_deep_checks() -> None:
    for transition, state, template in TEMPLATES:
        result = transition(state, template, CTX)
        codes = [e.code for e in result.events if isinstance(e, EventRejected)]
        expected = TIME_BOUND.get(type(template).__name__)
        assert codes == ([expected] if expected else []), template


@pytest.mark.parametrize(("transition", "state", "template"), CASES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_garbage_fields_are_refused_not_raised(
    transition: Any, state: Any, template: Any, data: st.DataObject
) -> None:
    names = [f.name for f in dataclasses.fields(template)]
    spoiled = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    action = dataclasses.replace(
        template, **{name: data.draw(garbage, label=name) for name in spoiled}
    )
    result = transition(state, action, CTX)
    if any(isinstance(e, EventRejected) for e in result.events):
        assert state_hash(result.state) == state_hash(state)
    else:
        state_hash(result.state)  # whatever was accepted is canonically encodable
