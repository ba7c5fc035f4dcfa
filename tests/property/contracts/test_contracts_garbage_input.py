"""No input, however malformed, makes a contract raise: it is refused with a code.

Each case takes a valid action and replaces one or two of its fields with garbage
(wrong types, out-of-range numbers, floats, unhashable values, malformed ids); the
transition must return normally, and a refusal must leave the state exactly as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stellar_sdk import Keypair

from contracts import access, billing, subscriptions
from contracts.canonical import state_hash
from contracts.common import ReceiveContentDelisted
from contracts.core import NATIVE, Action, Asset, Context, EventRejected

PROVIDER = Keypair.from_raw_ed25519_seed(bytes([1]) * 32).public_key
VIEWER = Keypair.from_raw_ed25519_seed(bytes([10]) * 32).public_key
CONTENT, NEW_CONTENT = "ab" * 20, "cd" * 20
GARBAGE: list[Any] = [
    None, "", " ", -1, 0, 2**64, 1.5, True, (), (1, 2), ("news", {}), (0, 10**12), b"x",
    {}, [], Asset("USD"), Asset("TOOLONGASSETCODE", PROVIDER), "G" * 56, "AB" * 20, "x" * 200,
    ("basic", "basic"), (-5,), (5, 1), ({},), "basic", "news", CONTENT, PROVIDER, NATIVE,
]  # fmt: skip


def _setup(module: Any, actions: list[Action]) -> Any:
    state = module.initial_state()
    for action in actions:
        result = module.transition(state, action, Context(1, 1000))
        assert not any(isinstance(e, EventRejected) for e in result.events), result.events
        state = result.state
    return state


def _subscriptions() -> tuple[Any, list[Action]]:
    s = subscriptions
    setup = [
        s.ActionRegisterChannel(PROVIDER, "news"),
        s.ActionRegisterContent(PROVIDER, CONTENT, "news"),
        s.ActionCreatePlan(PROVIDER, "basic", 100, 3600, NATIVE),
        s.ActionCreatePlan(VIEWER, "other", 100, 3600, NATIVE),
        s.ReceivePayment(VIEWER, NATIVE, 1000, "pay-1"),
        s.ActionSubscribe(VIEWER, "basic"),
    ]
    templates = [
        s.ActionRegisterChannel(PROVIDER, "sport"),
        s.ActionRegisterContent(PROVIDER, NEW_CONTENT, "news"),
        s.ActionCreatePlan(PROVIDER, "plus", 100, 3600, NATIVE, ("news",), True),
        s.ActionCreateBundle(PROVIDER, "duo", ("basic", "other"), 150, 3600, NATIVE, 60),
        s.ActionUpdateTerms(PROVIDER, "basic", 50, 7200),
        s.ActionRetireOffering(PROVIDER, "basic"),
        s.ReceivePayment(VIEWER, NATIVE, 10, "pay-2"),
        s.ActionSubscribe(VIEWER, "other"),
        s.ActionCancel(VIEWER, "basic"),
        s.ActionWithdrawCredit(VIEWER, NATIVE, 10),
        s.ReceiveVerifiedViewing(1, VIEWER, CONTENT, 60),
        ReceiveContentDelisted(CONTENT),
        s.ReceiveLedgerClose(),
    ]
    return _setup(s, setup), templates


def _billing() -> tuple[Any, list[Action]]:
    b = billing
    setup = [
        b.ActionSetRate(PROVIDER, CONTENT, NATIVE, 10),
        b.ReceiveDeposit(VIEWER, NATIVE, 1000, "pay-1"),
        b.ReceiveViewingMinutes(VIEWER, CONTENT, "s1", (0, 1)),
    ]
    templates = [
        b.ActionSetRate(PROVIDER, NEW_CONTENT, NATIVE, 10),
        b.ReceiveDeposit(VIEWER, NATIVE, 5, "pay-2"),
        b.ReceiveViewingMinutes(VIEWER, CONTENT, "s1", (2, 3)),
        b.ReceiveViewingMinutes(VIEWER, CONTENT, "s2", (), (0, 125)),
        b.ActionWithdraw(VIEWER, NATIVE, 5),
        b.ActionPayProviders(),
        ReceiveContentDelisted(CONTENT),
    ]
    return _setup(b, setup), templates


def _access() -> tuple[Any, list[Action]]:
    a = access
    setup = [
        a.ActionSetAccessPrice(PROVIDER, CONTENT, 100, NATIVE, 3600),
        a.ReceiveAccessPayment(VIEWER, CONTENT, NATIVE, 100, "pay-1"),
    ]
    templates = [
        a.ActionSetAccessPrice(PROVIDER, NEW_CONTENT, 100, NATIVE, 3600, "PASS"),
        a.ActionStopSales(PROVIDER, CONTENT),
        a.ReceiveAccessPayment(VIEWER, CONTENT, NATIVE, 150, "pay-2"),
        ReceiveContentDelisted(CONTENT),
    ]
    return _setup(a, setup), templates


def _mutated(templates: list[Action]) -> st.SearchStrategy[Action]:
    @st.composite
    def build(draw: st.DrawFn) -> Action:
        template = draw(st.sampled_from(templates))
        names = [f.name for f in dataclasses.fields(template)]  # type: ignore[arg-type]
        if not names:
            return template
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        return dataclasses.replace(  # type: ignore[type-var]
            template, **{name: draw(st.sampled_from(GARBAGE)) for name in chosen}
        )

    return build()


CONTRACTS: list[tuple[Any, Callable[[], tuple[Any, list[Action]]]]] = [
    (subscriptions, _subscriptions),
    (billing, _billing),
    (access, _access),
]


@pytest.mark.parametrize(
    ("module", "make"), [pytest.param(m, f, id=m.__name__) for m, f in CONTRACTS]
)
def test_garbage_in_any_field_never_raises(
    module: Any, make: Callable[[], tuple[Any, list[Action]]]
) -> None:
    state, templates = make()
    before = state_hash(state)
    for template in templates:  # the templates themselves are accepted
        events = module.transition(state, template, Context(1, 2000)).events
        assert not any(isinstance(e, EventRejected) for e in events), (template, events)

    def check(action: Action, at: int) -> None:
        result = module.transition(state, action, Context(1, at))
        state_hash(result.state)  # the result stays canonically encodable
        if any(isinstance(e, EventRejected) for e in result.events):
            assert len(result.events) == 1
            assert state_hash(result.state) == before

    for template in templates:  # every single-field garbage, exhaustively
        for field in dataclasses.fields(template):  # type: ignore[arg-type]
            for value in GARBAGE:
                check(dataclasses.replace(template, **{field.name: value}), 2000)  # type: ignore[type-var]

    # and random pairs of garbage fields
    given(action=_mutated(templates), at=st.integers(0, 10**10))(
        settings(max_examples=300, deadline=None)(check)
    )()
