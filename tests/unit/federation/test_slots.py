"""Where a federation pays: the anchored slots, and the rounds that redo failed payments
as claimable balances, derived the same way by every validator."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from servicelayer.federation.slots import Assignment, Attempt, Outcome, rounds
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import Payout, Plan

CHANNELS = tuple(Keypair.random().public_key for _ in range(3))
PLAN = Plan.of(
    [Payout(Keypair.random().public_key, NATIVE_TEXT, 10 + i, f"r{i}") for i in range(5)]
)
CHUNKS = chunk_plan(PLAN.id, PLAN.payouts, 1)  # five chunks of one payout
SLOTS = Assignment(PLAN.id, 100, len(CHUNKS), tuple(zip(CHANNELS, (40, 70, 7), strict=True)))


def hash_of(a: Attempt) -> str:
    return f"{a.chunk.index}:{a.round}:{a.channel[:4]}:{a.sequence}:{sorted(a.claimable)}"


def test_each_chunk_has_one_slot_after_its_channels_base() -> None:
    assert [SLOTS.slot(i) for i in range(5)] == [
        (CHANNELS[0], 41),
        (CHANNELS[1], 71),
        (CHANNELS[2], 8),
        (CHANNELS[0], 42),
        (CHANNELS[1], 72),
    ]
    with pytest.raises(IndexError):
        SLOTS.slot(5)


def test_the_anchor_entries_give_back_the_assignment() -> None:
    entries = dict(SLOTS.entries())
    assert all(len(k) <= 64 and len(v) <= 64 for k, v in entries.items())
    assert Assignment.of_entries(entries, CHANNELS) == SLOTS
    many = tuple(Keypair.random().public_key for _ in range(20))
    wide = Assignment(PLAN.id, 300, 7, tuple((c, i * 1000) for i, c in enumerate(many)))
    assert len(wide.entries()) == 4  # the plan, and 8 bases per entry
    assert Assignment.of_entries(dict(wide.entries()), many) == wide
    assert Assignment.of_entries({}, CHANNELS) is None  # an epoch without payouts
    assert Assignment.of_entries(entries, CHANNELS[:2]) is None  # other channels


def test_a_round_waits_until_every_attempt_of_the_last_is_on_the_ledger() -> None:
    ledger: dict[str, Outcome] = {}
    (first,) = rounds(SLOTS, CHUNKS, hash_of, ledger.get)
    assert [(a.chunk.index, a.round, a.claimable) for a in first] == [
        (i, 0, frozenset()) for i in range(5)
    ]
    for a in first[:4]:
        ledger[hash_of(a)] = (True, ("op_success",))
    assert len(rounds(SLOTS, CHUNKS, hash_of, ledger.get)) == 1


def test_payees_who_cannot_hold_the_asset_are_redone_as_claimable_in_later_slots() -> None:
    ledger: dict[str, Outcome] = {}
    (first,) = rounds(SLOTS, CHUNKS, hash_of, ledger.get)
    for a in first:
        ledger[hash_of(a)] = (True, ("op_success",))
    ledger[hash_of(first[1])] = (False, ("op_no_destination",))
    ledger[hash_of(first[3])] = (False, ("op_underfunded",))  # not redone: final
    ledger[hash_of(first[4])] = (False, ("op_no_trust",))
    _, second = rounds(SLOTS, CHUNKS, hash_of, ledger.get)
    # after every slot used so far: channel 0 used 41 and 42, channel 1 71 and 72
    assert [(a.chunk.index, a.channel, a.sequence, a.claimable) for a in second] == [
        (1, CHANNELS[0], 43, frozenset({0})),
        (4, CHANNELS[1], 73, frozenset({0})),
    ]
    ledger[hash_of(second[0])] = (True, ("op_success",))
    ledger[hash_of(second[1])] = (False, ("op_no_trust",))  # claimable already: final
    assert len(rounds(SLOTS, CHUNKS, hash_of, ledger.get)) == 2
