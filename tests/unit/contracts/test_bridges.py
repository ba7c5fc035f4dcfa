"""The DAO's fan-out: which contract hears of each moderation decision, and what a
relisting does to the contracts that sell access."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from contracts import access, billing, catalog, subscriptions
from contracts.bridges import after_catalog, fan_out
from contracts.catalog import (
    ReceiveChannelBanned,
    ReceiveContentHidden,
)
from contracts.catalog import ReceiveContentDelisted as CatalogDelisted
from contracts.catalog import ReceiveContentRelisted as CatalogRelisted
from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import NATIVE, Action, Asset, Context, Event, EventRejected
from contracts.issuance import ActionMintByVote
from contracts.moderation import ActionPropose as Propose
from contracts.moderation import (
    EventChannelBanned,
    EventContentDelisted,
    EventContentHidden,
    EventContentRelisted,
    EventMintApproved,
    EventParameterChanged,
    EventProposalExecuted,
    EventVoteCast,
    ProposalKind,
    ReceiveBalanceSnapshot,
    VoteChoice,
    initial_state,
    tick_due,
)
from contracts.moderation import transition as moderate
from contracts.rewards import ReceiveParameterChanged


def account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDER, VIEWER = account(1), account(2)
GOV = Asset("ACE", account(3))
FILM = "ab" * 20
SELLERS = ("subscriptions", "access", "billing")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(
            EventContentDelisted(FILM, 1, final=False),
            [("catalog", CatalogDelisted(FILM))]
            + [(name, ReceiveContentDelisted(FILM)) for name in SELLERS],
            id="delist",
        ),
        pytest.param(
            EventContentHidden(FILM, 2), [("catalog", ReceiveContentHidden(FILM))], id="hide"
        ),
        pytest.param(
            EventContentRelisted(FILM, 2),
            [("catalog", CatalogRelisted(FILM))]
            + [(name, ReceiveContentRelisted(FILM)) for name in SELLERS],
            id="relist",
        ),
        pytest.param(
            EventChannelBanned(PROVIDER, 3), [("catalog", ReceiveChannelBanned(PROVIDER))], id="ban"
        ),
        pytest.param(
            EventParameterChanged("reward.creators_bps", 2500, 4),
            [("rewards", ReceiveParameterChanged("reward.creators_bps", 2500))],
            id="reward-param",
        ),
        pytest.param(EventParameterChanged("gov.timelock_s", 3600, 5), [], id="gov-param"),
        pytest.param(
            EventMintApproved(6, GOV, VIEWER, 10_000_000),
            [("issuance", ActionMintByVote(6, GOV, VIEWER, 10_000_000))],
            id="mint",
        ),
        pytest.param(EventProposalExecuted(6), [], id="bookkeeping"),
        pytest.param(EventVoteCast(6, VIEWER, VoteChoice.YES, changed=False), [], id="vote"),
    ],
)
def test_each_decision_reaches_its_consumers(event: Event, expected: list) -> None:
    assert list(fan_out([event])) == expected


def test_fan_out_keeps_the_order_of_the_events() -> None:
    events = [EventMintApproved(1, GOV, VIEWER, 5), EventChannelBanned(PROVIDER, 2)]
    assert [name for name, _ in fan_out(events)] == ["issuance", "catalog"]


def run(module: object, actions: list[Action]) -> tuple[object, list[Event]]:
    state = module.initial_state()  # type: ignore[attr-defined]
    events: list[Event] = []
    for action in actions:
        result = module.transition(state, action, Context(1, 1_000))  # type: ignore[attr-defined]
        state, events = result.state, [*events, *result.events]
    return state, events


@pytest.mark.parametrize(
    ("module", "setup"),
    [
        pytest.param(
            access,
            [
                access.ActionSetAccessPrice(PROVIDER, FILM, 100, NATIVE, 3600),
                access.ReceiveAccessPayment(VIEWER, FILM, NATIVE, 100, "pay-1"),
            ],
            id="access",
        ),
        pytest.param(
            billing,
            [
                billing.ActionSetRate(PROVIDER, FILM, NATIVE, 10),
                billing.ReceiveDeposit(VIEWER, NATIVE, 1000, "pay-1"),
            ],
            id="billing",
        ),
        pytest.param(
            subscriptions,
            [
                subscriptions.ActionRegisterChannel(PROVIDER, "news"),
                subscriptions.ActionRegisterContent(PROVIDER, FILM, "news"),
                subscriptions.ActionCreatePlan(PROVIDER, "basic", 100, 3600, NATIVE),
                subscriptions.ReceivePayment(VIEWER, NATIVE, 1000, "pay-1"),
                subscriptions.ActionSubscribe(VIEWER, "basic"),
            ],
            id="subscriptions",
        ),
    ],
)
def test_a_relisting_restores_what_a_delisting_took(module: object, setup: list[Action]) -> None:
    query = module.entitlement  # type: ignore[attr-defined]
    state, events = run(module, setup)
    assert not [e for e in events if isinstance(e, EventRejected)], events
    assert query(state, VIEWER, FILM, 1_000).allowed

    state, _ = run_on(module, state, ReceiveContentDelisted(FILM))
    assert query(state, VIEWER, FILM, 1_000).reason == "content_delisted"
    state, events = run_on(module, state, ReceiveContentRelisted(FILM))
    assert type(events[0]).__name__ == "EventContentRelisted"
    assert query(state, VIEWER, FILM, 1_000).allowed

    _, again = run_on(module, state, ReceiveContentRelisted(FILM))
    assert again == [EventRejected("ReceiveContentRelisted", "not_delisted")]
    _, unknown = run_on(module, state, ReceiveContentRelisted("cd" * 20))
    assert unknown == [EventRejected("ReceiveContentRelisted", "unknown_content")]


def run_on(module: object, state: object, action: Action) -> tuple[object, list[Event]]:
    result = module.transition(state, action, Context(1, 1_000))  # type: ignore[attr-defined]
    return result.state, list(result.events)


def test_a_relisted_offer_waits_for_its_provider_to_price_it_again() -> None:
    state, _ = run(
        access,
        [
            access.ActionSetAccessPrice(PROVIDER, FILM, 100, NATIVE, 3600),
            ReceiveContentDelisted(FILM),
            ReceiveContentRelisted(FILM),
        ],
    )
    offer = state.offers[FILM]  # type: ignore[attr-defined]
    assert (offer.delisted, offer.on_sale) == (False, False)
    _, events = run_on(access, state, access.ActionSetAccessPrice(PROVIDER, FILM, 100, NATIVE, 60))
    assert not [e for e in events if isinstance(e, EventRejected)]


def test_tick_is_due_when_a_vote_ended_or_a_timelock_elapsed() -> None:
    state = initial_state()
    ctx = Context(1, 1_000)
    state = moderate(state, Propose(PROVIDER, ProposalKind.DELIST, 5, FILM), ctx).state
    state = moderate(state, ReceiveBalanceSnapshot(1, 5, ((PROVIDER, 10),)), ctx).state
    ends = state.proposals[1].voting_ends_at
    assert not tick_due(state, ends - 1)
    assert tick_due(state, ends)


def test_a_ban_delists_each_item_of_the_provider_where_access_is_sold() -> None:
    other = "cd" * 20
    state, _ = run(
        catalog,
        [
            catalog.ActionPublish(FILM, "A film", (), PROVIDER),
            catalog.ActionPublish(other, "Another", (), VIEWER),
        ],
    )
    ban = ReceiveChannelBanned(PROVIDER)
    _, events = run_on(catalog, state, ban)
    assert list(after_catalog(ban, events)) == [
        (name, ReceiveContentDelisted(FILM)) for name in SELLERS
    ]
    _, delisted = run_on(catalog, state, CatalogDelisted(FILM))
    assert after_catalog(CatalogDelisted(FILM), delisted) == ()  # moderation's event did it
