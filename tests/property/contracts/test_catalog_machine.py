"""Catalog as a state machine: search shows only listed items, bans stick, replayable."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.catalog import (
    ActionPublish,
    CatalogState,
    ItemStatus,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
    initial_state,
    search,
    transition,
)
from contracts.core import Action, Context, Event, EventRejected

PROVIDERS = [Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key for n in range(50, 53)]
INFOHASHES = [f"{n:040x}" for n in range(1, 6)]
WORDS = ["live", "Football", "jazz", "news", "NIGHT"]
infohashes = st.sampled_from(INFOHASHES)
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)


class CatalogMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: CatalogState = initial_state()
        self.log: list[tuple[Action, Context]] = []
        self.now = 0

    def apply(self, action: Action) -> tuple[Event, ...]:
        self.now += 1
        ctx = Context(epoch=1, close_time=self.now)
        result = transition(self.state, action, ctx)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert state_hash(result.state) == state_hash(self.state)
        self.state = result.state
        self.log.append((action, ctx))
        return result.events

    @initialize(titles=st.lists(words, min_size=len(INFOHASHES), max_size=len(INFOHASHES)))
    def publish_all(self, titles: list[list[str]]) -> None:
        for n, (infohash, title) in enumerate(zip(INFOHASHES, titles, strict=True)):
            provider = PROVIDERS[n % len(PROVIDERS)]
            events = self.apply(ActionPublish(infohash, " ".join(title), (), provider))
            assert not isinstance(events[0], EventRejected)

    @rule(
        infohash=infohashes,
        title=words,
        tags=st.lists(st.sampled_from(WORDS), max_size=2),
        provider=st.sampled_from(PROVIDERS),
    )
    def publish(self, infohash: str, title: list[str], tags: list[str], provider: str) -> None:
        self.apply(ActionPublish(infohash, " ".join(title), tuple(tags), provider))

    @rule(infohash=infohashes, kind=st.sampled_from(["delist", "hide", "relist"]))
    def moderate(self, infohash: str, kind: str) -> None:
        action = {
            "delist": ReceiveContentDelisted,
            "hide": ReceiveContentHidden,
            "relist": ReceiveContentRelisted,
        }[kind](infohash)
        self.apply(action)

    @rule(provider=st.sampled_from(PROVIDERS), really=st.integers(0, 4))
    def ban(self, provider: str, really: int) -> None:
        if really == 0:  # bans are rare, so that the rest of the catalog gets exercised
            self.apply(ReceiveChannelBanned(provider))
        banned = provider in self.state.banned_providers
        mine = [i for i in self.state.items.values() if i.provider == provider]
        assert not banned or all(i.status == ItemStatus.DELISTED for i in mine)

    @invariant()
    def search_shows_only_listed_items_of_unbanned_providers(self) -> None:
        for query in ("", "live", "jazz night"):
            page = search(self.state, query, limit=100)
            listed = [i for i in self.state.items.values() if i.status == ItemStatus.LISTED]
            if query == "":
                assert page.total == len(listed)
            for hit in page.hits:
                assert hit.item.status == ItemStatus.LISTED
                assert hit.item.provider not in self.state.banned_providers
            keys = [(-h.score, -h.item.published_at, h.item.infohash) for h in page.hits]
            assert keys == sorted(keys)

    def teardown(self) -> None:
        replayed = initial_state()
        for action, ctx in self.log:
            replayed = transition(replayed, action, ctx).state
        assert state_hash(replayed) == state_hash(self.state)


CatalogMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestCatalogMachine = CatalogMachine.TestCase
