"""Catalog: publishing, moderation status changes, channel bans, search."""

from __future__ import annotations

from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.catalog import (
    MAX_ORIGINS,
    ActionPublish,
    ActionSetOrigins,
    CatalogState,
    EventItemPublished,
    EventOriginsSet,
    ItemStatus,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
    initial_state,
    search,
    transition,
)
from contracts.core import Action, Context, EventRejected


def acct(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


ALICE, BOB = acct(1), acct(2)
IH1, IH2, IH3 = "a" * 40, "b" * 40, "c" * 64


def at(t: int) -> Context:
    return Context(epoch=1, close_time=t)


def run(state: CatalogState, *actions: Action, t: int = 1000) -> CatalogState:
    for action in actions:
        result = transition(state, action, at(t))
        assert not any(isinstance(e, EventRejected) for e in result.events), result.events
        state = result.state
    return state


def refused(state: CatalogState, action: Action) -> str:
    result = transition(state, action, at(1000))
    assert result.state == state
    assert state_hash(result.state) == state_hash(state)
    (event,) = result.events
    assert isinstance(event, EventRejected)
    return event.code


def titles(state: CatalogState, query: str = "", **kw: object) -> list[str]:
    return [h.item.title for h in search(state, query, **kw).hits]  # type: ignore[arg-type]


def make_catalog() -> CatalogState:
    return run(
        initial_state(),
        ActionPublish(IH1, "Football Final Live", ("sport", "Live"), ALICE, 250_000, 1000),
        ActionPublish(IH2, "Cooking with fire", ("food",), BOB),
        ActionPublish(IH3, "Live jazz night", ("music", "live"), BOB),
    )


def test_published_items_are_found_case_insensitively_by_title_and_tag() -> None:
    state = make_catalog()
    assert titles(state, "FOOTBALL") == ["Football Final Live"]
    assert titles(state, "food") == ["Cooking with fire"]
    assert sorted(titles(state, "live")) == ["Football Final Live", "Live jazz night"]
    assert titles(state, "live jazz") == ["Live jazz night"]
    assert titles(state, "nothing-like-this") == []


def test_search_filters_by_tag_and_provider_and_pages() -> None:
    state = make_catalog()
    assert titles(state, tags=("MUSIC",)) == ["Live jazz night"]
    assert sorted(titles(state, provider=BOB)) == ["Cooking with fire", "Live jazz night"]
    page = search(state, "", limit=1, offset=1)
    assert page.total == 3 and len(page.hits) == 1
    everything = [h.item.infohash for h in search(state, "", limit=100).hits]
    assert page.hits[0].item.infohash == everything[1]


def test_title_match_ranks_above_tag_only_match() -> None:
    state = run(
        initial_state(),
        ActionPublish(IH1, "Evening news", ("jazz",), ALICE),
        ActionPublish(IH2, "Jazz classics", (), ALICE),
        t=5,
    )
    assert titles(state, "jazz") == ["Jazz classics", "Evening news"]


def test_newer_items_rank_first_on_equal_score() -> None:
    state = run(initial_state(), ActionPublish(IH1, "Match one", (), ALICE), t=10)
    state = run(state, ActionPublish(IH2, "Match two", (), ALICE), t=20)
    assert titles(state, "match") == ["Match two", "Match one"]


def test_delisted_and_hidden_items_leave_search_and_relist_restores() -> None:
    state = make_catalog()
    state = run(state, ReceiveContentDelisted(IH1), ReceiveContentHidden(IH3))
    assert titles(state, "live") == []
    assert state.items[IH3].status == ItemStatus.HIDDEN
    state = run(state, ReceiveContentRelisted(IH3))
    assert titles(state, "live") == ["Live jazz night"]


def test_channel_ban_delists_all_items_of_the_provider_and_refuses_new_ones() -> None:
    state = run(make_catalog(), ReceiveChannelBanned(BOB))
    assert titles(state) == ["Football Final Live"]
    assert refused(state, ActionPublish("d" * 40, "New show", (), BOB)) == "provider_banned"
    assert refused(state, ReceiveContentRelisted(IH2)) == "provider_banned"


def test_owner_can_update_metadata_but_others_cannot_take_the_infohash() -> None:
    state = make_catalog()
    result = transition(
        state, ActionPublish(IH1.upper(), "Football Final", ("sport",), ALICE), at(2)
    )
    assert result.events == (EventItemPublished(IH1, ALICE, updated=True),)
    assert result.state.items[IH1].title == "Football Final"
    assert result.state.items[IH1].published_at == 1000
    assert refused(state, ActionPublish(IH1, "Stolen", (), BOB)) == "not_owner"
    same = ActionPublish(IH2, "Cooking  with fire", ("FOOD",), BOB)  # normalises to the same
    assert refused(state, same) == "no_change"


def test_invalid_publications_are_refused_with_stable_codes() -> None:
    state = make_catalog()
    cases = {
        "invalid_infohash": ActionPublish("xyz", "t", (), ALICE),
        "invalid_title": ActionPublish("e" * 40, "   ", (), ALICE),
        "invalid_tags": ActionPublish("e" * 40, "t", ("two words",), ALICE),
        "invalid_account": ActionPublish("e" * 40, "t", (), "GNOTANACCOUNT"),
        "invalid_bitrate": ActionPublish("e" * 40, "t", (), ALICE, bitrate=0),
        "invalid_price": ActionPublish("e" * 40, "t", (), ALICE, price_per_minute=-1),
    }
    for code, action in cases.items():
        assert refused(state, action) == code


def test_status_changes_on_unknown_or_same_status_are_refused() -> None:
    state = make_catalog()
    assert refused(state, ReceiveContentDelisted("f" * 40)) == "unknown_content"
    assert refused(state, ReceiveContentRelisted(IH1)) == "already_listed"
    delisted = run(state, ReceiveContentDelisted(IH1))
    assert refused(delisted, ReceiveContentDelisted(IH1)) == "already_delisted"
    assert refused(delisted, ActionPublish(IH1, "Back", (), ALICE)) == "content_delisted"
    assert refused(state, ReceiveChannelBanned("nobody")) == "invalid_account"


def test_only_the_owner_of_a_listed_item_sets_its_origins() -> None:
    seeders = sorted(acct(n) for n in (5, 6, 7))
    state = initial_state()
    assert refused(state, ActionSetOrigins(IH1, ALICE, tuple(seeders))) == "content_not_published"
    state = run(state, ActionPublish(IH1, "T", (), ALICE))
    assert refused(state, ActionSetOrigins(IH1, BOB, ())) == "not_content_owner"
    assert refused(state, ActionSetOrigins(IH1, ALICE, ("nope",))) == "invalid_account"
    many = tuple(acct(n) for n in range(10, 11 + MAX_ORIGINS))
    assert refused(state, ActionSetOrigins(IH1, ALICE, many)) == "too_many_origins"
    result = transition(
        state, ActionSetOrigins(IH1.upper(), ALICE, tuple(reversed(seeders))), at(1)
    )
    assert result.state.origins[IH1] == tuple(seeders)
    assert result.events == (EventOriginsSet(IH1, tuple(seeders)),)
    state = result.state
    assert refused(state, ActionSetOrigins(IH1, ALICE, tuple(seeders))) == "no_change"
    assert IH1 not in run(state, ActionSetOrigins(IH1, ALICE, ())).origins
    hidden = run(state, ReceiveContentHidden(IH1))
    assert refused(hidden, ActionSetOrigins(IH1, ALICE, ())) == "content_hidden"


def test_origins_leave_the_state_hash_of_journals_written_before_them_unchanged() -> None:
    """``CatalogState.origins`` was added after journals were written: while empty it is
    left out of the encoding, so their stored state hashes still verify."""
    from contracts.canonical import canonical_bytes

    state = run(initial_state(), ActionPublish("ab" * 20, "T", ("x",), ALICE), t=5)
    # the hash this state had before the field existed (computed by the earlier code)
    assert state_hash(state) == "beebdc336bb385bc85365e8ec18559caadba5fd9b32a2523279eaf1ad6eee642"
    assert b"origins" not in canonical_bytes(state)
    named = run(state, ActionSetOrigins("ab" * 20, ALICE, (BOB,)))
    assert b"origins" in canonical_bytes(named) and state_hash(named) != state_hash(state)
