"""The incremental state hash equals the hash computed from scratch, whatever happened.

A ``PMap`` keeps an LtHash of its entries up to date on each ``set``/``remove``; the
state hash reads it. After any sequence of updates (and of contract actions) the digest
must equal the one of a map built at once from the same entries, and that one must
equal an independent, lane-by-lane LtHash written here from the definition.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from stellar_sdk import Keypair

from contracts import lthash
from contracts.canonical import canonical_bytes, full_state_hash, state_hash, summary_bytes
from contracts.catalog import (
    ActionPublish,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
)
from contracts.core import NATIVE, Action, Context
from contracts.pmap import PMap
from contracts.subscriptions import ActionCreatePlan, ActionRegisterChannel, ActionRegisterContent
from servicelayer.runtime.contracts import load_spec

CATALOG = load_spec("catalog")
SUBSCRIPTIONS = load_spec("subscriptions")
PROVIDERS = [Keypair.from_raw_ed25519_seed(bytes([i]) * 32).public_key for i in range(1, 4)]
INFOHASHES = [hashlib.sha1(b"%d" % i).hexdigest() for i in range(8)]


def oracle_digest(entries: dict[Any, Any]) -> str:
    """LtHash16 from its definition: 1024 lanes of 16 bits, summed lane by lane."""
    lanes = [0] * 1024
    for key, value in entries.items():
        data = hashlib.shake_256(b"ace/pmap/v1\n" + summary_bytes((key, value))).digest(4096)
        for lane in range(1024):
            lanes[lane] = (
                lanes[lane] + int.from_bytes(data[4 * lane : 4 * lane + 2], "little")
            ) % 65536
    packed = b"".join(v.to_bytes(2, "little") + b"\0\0" for v in lanes)
    return hashlib.sha256(packed).hexdigest()


keys = st.one_of(st.integers(-5, 40), st.text(max_size=3))
values = st.one_of(st.integers(), st.text(max_size=5), st.tuples(st.booleans(), st.integers()))
ops = st.lists(st.tuples(st.booleans(), keys, values), max_size=80)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_a_map_after_any_updates_equals_the_map_built_from_its_entries(
    steps: list[tuple[bool, Any, Any]],
) -> None:
    live: PMap[Any, Any] = PMap()
    model: dict[Any, Any] = {}
    for remove, key, value in steps:
        if remove:
            live = live.remove(key)
            model.pop(key, None)
        else:
            live = live.set(key, value)
            model[key] = value
    fresh = PMap(model)
    assert dict(live.items()) == model and len(live) == len(model)
    assert live.digest == fresh.digest
    assert live == fresh == model
    assert canonical_bytes(live) == canonical_bytes(model)  # snapshots keep the dict format


@settings(max_examples=10, deadline=None)
@given(st.dictionaries(st.text(max_size=4), st.integers(), max_size=12))
def test_the_digest_is_the_lthash_of_the_entries(model: dict[str, int]) -> None:
    assert PMap(model).digest == oracle_digest(model)


def test_updates_that_change_the_entries_change_the_digest() -> None:
    base = PMap({"a": 1, "b": 2})
    assert base.set("a", 2).digest != base.digest
    assert base.set("c", 0).digest != base.digest
    assert base.remove("a").digest != base.digest
    assert base.set("a", 1).digest == base.digest
    assert PMap({"a": 1}).digest != PMap({"a": "1"}).digest  # typed canonical bytes
    assert lthash.digest(lthash.EMPTY) == PMap().digest


def _catalog_actions() -> st.SearchStrategy[Action]:
    infohash = st.sampled_from(INFOHASHES)
    provider = st.sampled_from(PROVIDERS)
    title = st.sampled_from(["Final", "Cup final", "News at ten"])
    tags = st.lists(st.sampled_from(["sport", "news", "live"]), max_size=2).map(tuple)
    return st.one_of(
        st.builds(ActionPublish, infohash, title, tags, provider),
        st.builds(ReceiveContentDelisted, infohash),
        st.builds(ReceiveContentHidden, infohash),
        st.builds(ReceiveContentRelisted, infohash),
        st.builds(ReceiveChannelBanned, provider),
    )


def _subscriptions_actions() -> st.SearchStrategy[Action]:
    provider = st.sampled_from(PROVIDERS)
    name = st.sampled_from(["c1", "c2", "p1"])
    return st.one_of(
        st.builds(ActionRegisterChannel, provider, name),
        st.builds(ActionRegisterContent, provider, st.sampled_from(INFOHASHES), name),
        st.builds(
            ActionCreatePlan, provider, name, st.integers(0, 10**8), st.just(3600), st.just(NATIVE)
        ),
    )


def _check_run(spec: Any, actions: list[Action]) -> None:
    state = spec.initial_state()
    for n, action in enumerate(actions):
        state = spec.transition(state, action, Context(1, 1000 + n)).state
        rebuilt = spec.types.loads(canonical_bytes(state))  # every map built anew
        assert state_hash(state) == state_hash(rebuilt)
        assert full_state_hash(state) == full_state_hash(rebuilt)
        assert rebuilt == state


@settings(max_examples=40, deadline=None)
@given(st.lists(_catalog_actions(), max_size=40))
def test_catalog_state_hash_after_random_actions_equals_recomputation(
    actions: list[Action],
) -> None:
    _check_run(CATALOG, actions)


@settings(max_examples=40, deadline=None)
@given(st.lists(_subscriptions_actions(), max_size=40))
def test_subscriptions_state_hash_after_random_actions_equals_recomputation(
    actions: list[Action],
) -> None:
    _check_run(SUBSCRIPTIONS, actions)


def test_the_version_1_hash_is_the_hash_of_the_full_encoding() -> None:
    """``full_state_hash`` (what version 1 journals hold) encodes a PMap as the dict it was."""
    state = CATALOG.initial_state()
    for n, infohash in enumerate(INFOHASHES[:3]):
        action = ActionPublish(infohash, f"Film {n}", ("film",), PROVIDERS[0])
        state = CATALOG.transition(state, action, Context(1, 1000)).state
    as_dict = type(state)(items=dict(state.items.items()), banned_providers={})
    assert full_state_hash(state) == hashlib.sha256(canonical_bytes(as_dict)).hexdigest()
    assert state_hash(state) != full_state_hash(state)
