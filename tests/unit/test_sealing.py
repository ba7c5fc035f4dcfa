"""The seal walk (servicelayer.epochs.sealing.judge_stream): the stream rules at close."""

from __future__ import annotations

from servicelayer.epochs.sealing import Judged, judge_stream
from servicelayer.receipts.model import Kind
from servicelayer.storage.receipts_repo import SealRow, StreamHead

KEY = b"k" * 32
STARTED = 1_000


def slot(
    window: int, seq: int, amount: int, *, started: int = STARTED, kind: Kind = Kind.BANDWIDTH
) -> SealRow:
    return SealRow(KEY, window, int(kind), started, seq, amount, 0, None)


def judge(head: StreamHead | None, *slots: SealRow, rate: int = 100) -> list[Judged]:
    return judge_stream(head, slots, rate)


def test_the_first_slot_adds_its_whole_total_and_each_next_one_its_growth() -> None:
    assert judge(None, slot(1_020, 1, 500), slot(1_080, 2, 900), slot(1_200, 4, 1_000)) == [
        Judged(0, None),
        Judged(500, None),
        Judged(900, None),
    ]


def test_a_stream_continues_from_its_latest_counted_receipt_of_earlier_epochs() -> None:
    head = StreamHead(STARTED, 7, 4_000, 960)
    assert judge(head, slot(1_020, 8, 4_500)) == [Judged(4_000, None)]
    assert judge(head, slot(1_020, 7, 4_500)) == [Judged(4_500, "stale_sequence")]


def test_each_rule_refuses_a_slot_which_then_adds_nothing_and_moves_nothing() -> None:
    head = StreamHead(STARTED, 1, 1_000, 960)
    cases = {
        "session_mismatch": slot(1_020, 2, 1_100, started=990),
        "stale_sequence": slot(1_020, 1, 1_100),
        "counter_regressed": slot(1_020, 2, 999),
        # 120 s from the start of the head's window to the end of this one, 100 B/s
        "implausible_rate": slot(1_020, 2, 1_000 + 12_001),
    }
    for reason, bad in cases.items():
        after = slot(1_080, 5, 1_500)
        assert judge(head, bad, after) == [Judged(bad.amount, reason), Judged(1_000, None)]
    assert judge(head, slot(1_020, 2, 1_000 + 12_000)) == [Judged(1_000, None)]


def test_viewing_grows_at_most_one_second_per_second() -> None:
    head = StreamHead(STARTED, 1, 10, 960)
    fast = slot(1_020, 2, 10 + 121, kind=Kind.VIEWING)
    assert judge(head, fast) == [Judged(131, "implausible_rate")]


def test_later_slots_are_judged_against_the_last_counted_one_not_the_last_refused() -> None:
    slots = [slot(1_020, 3, 300), slot(1_080, 2, 400), slot(1_140, 5, 250), slot(1_200, 6, 900)]
    assert judge(None, *slots) == [
        Judged(0, None),
        Judged(400, "stale_sequence"),
        Judged(250, "counter_regressed"),
        Judged(300, None),
    ]
