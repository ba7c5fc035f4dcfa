"""Properties of epoch verification over arbitrary small epochs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicelayer.verification.codes import Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import (
    BandwidthClaim,
    CdnClaim,
    ContentInfo,
    EpochInputs,
    PeerObservation,
    Registration,
    SwarmProbe,
    ViewerPayment,
    ViewingClaim,
)
from servicelayer.verification.payable import split_payments
from servicelayer.verification.reputation import Reputation

ACCOUNTS = ("A", "B", "C", "D", "E")
SWARMS = ("s1", "s2")
windows = st.integers(0, 11).map(lambda w: w * 60)
amounts = st.integers(0, 20_000_000)


@st.composite
def bandwidth(draw: st.DrawFn, rid: str) -> BandwidthClaim:
    delta = draw(amounts)
    return BandwidthClaim(
        rid,
        draw(st.sampled_from(ACCOUNTS)),
        draw(st.sampled_from(ACCOUNTS)),
        draw(st.sampled_from(SWARMS)),
        draw(st.sampled_from(("x", "y"))),
        draw(st.integers(0, 700)),
        draw(windows),
        delta + draw(st.integers(0, 1_000)),
        delta,
    )


@st.composite
def viewing(draw: st.DrawFn, rid: str) -> ViewingClaim:
    return ViewingClaim(
        rid,
        draw(st.sampled_from(ACCOUNTS)),
        draw(st.sampled_from(SWARMS)),
        draw(st.sampled_from(("x", "y", "z"))),
        0,
        draw(windows),
        draw(st.integers(60, 800)),
        draw(st.integers(0, 90)),
    )


@st.composite
def observation(draw: st.DrawFn) -> PeerObservation:
    first = draw(st.integers(0, 700))
    samples = sorted(
        draw(st.lists(st.tuples(st.integers(0, 720), st.integers(0, 500)), max_size=6))
    )
    return PeerObservation(
        draw(st.sampled_from(("e1", "e2", "e3"))),
        draw(st.sampled_from((*ACCOUNTS, None))),
        first,
        first + draw(st.integers(0, 300)),
        draw(st.booleans()),
        draw(st.integers(0, 5_000_000)),
        draw(st.integers(0, 120)),
        tuple(samples),
        0,
    )


@st.composite
def epochs(draw: st.DrawFn) -> EpochInputs:
    n_bw = draw(st.integers(0, 25))
    bw = tuple(draw(bandwidth(f"b{i:02}")) for i in range(n_bw))
    views = tuple(draw(viewing(f"v{i:02}")) for i in range(draw(st.integers(0, 10))))
    cdn = tuple(
        CdnClaim(
            f"c{i}",
            "OP",
            draw(st.sampled_from(ACCOUNTS)),
            "s1",
            "c",
            0,
            draw(windows),
            10**9,
            draw(amounts),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    probes = tuple(
        SwarmProbe(
            f"p{i}",
            draw(st.sampled_from(SWARMS)),
            start,
            start + 300,
            draw(st.integers(1, 300_000)),
            500,
            draw(st.one_of(st.none(), st.integers(0, 200_000))),
            tuple(draw(st.lists(observation(), max_size=4))),
        )
        for i, start in enumerate(draw(st.lists(windows, max_size=2)))
    )
    regs = tuple(
        Registration(a, tuple(draw(st.lists(st.sampled_from(("e1", "e2", "e3")), max_size=2))))
        for a in draw(st.lists(st.sampled_from(ACCOUNTS), max_size=3, unique=True))
    )
    reps = tuple(
        Reputation(
            a, 0, 0, draw(st.integers(0, 5)), 0, tuple(draw(st.lists(st.booleans(), max_size=8)))
        )
        for a in draw(st.lists(st.sampled_from(ACCOUNTS), max_size=4, unique=True))
    )
    pays = tuple(
        ViewerPayment(
            draw(st.sampled_from(ACCOUNTS)),
            draw(st.sampled_from(SWARMS)),
            draw(st.integers(0, 10**8)),
        )
        for _ in range(draw(st.integers(0, 5)))
    )
    catalog = tuple(
        ContentInfo(s, draw(st.one_of(st.none(), st.integers(1, 500_000)))) for s in SWARMS
    )
    return EpochInputs(1, 0, 720, bw, views, cdn, probes, regs, reps, pays, catalog)


def reorder(inputs: EpochInputs, data: st.DataObject) -> EpochInputs:
    def perm(items: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(data.draw(st.permutations(items)))

    return EpochInputs(
        inputs.epoch,
        inputs.epoch_start,
        inputs.epoch_seconds,
        perm(inputs.bandwidth),
        perm(inputs.viewing),
        perm(inputs.cdn),
        perm(inputs.probes),
        perm(inputs.registrations),
        perm(inputs.reputations),
        perm(inputs.payments),
        perm(inputs.catalog),
    )


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(epochs())
def test_every_receipt_gets_one_verdict_with_a_weight_in_range(inputs: EpochInputs) -> None:
    result = verify_epoch(inputs)
    ids = sorted(c.receipt_id for c in (*inputs.bandwidth, *inputs.viewing, *inputs.cdn))
    assert [v.receipt_id for v in result.verdicts] == ids
    for v in result.verdicts:
        assert 0 <= v.weight_ppm <= 1_000_000
        assert (v.verdict == Verdict.ACCEPTED) == (v.weight_ppm == 1_000_000 and not v.reasons)
        assert (v.verdict in (Verdict.REJECTED, Verdict.DEFERRED)) == (v.weight_ppm == 0)
        assert (v.verdict == Verdict.ACCEPTED) or v.reasons
        if v.verdict == Verdict.DEFERRED:  # held for a later epoch, for vetting only
            assert "unvetted_account" in v.reasons and 0 < v.held_ppm <= 1_000_000


@FAST
@given(epochs())
def test_payouts_never_exceed_what_viewers_paid(inputs: EpochInputs) -> None:
    result = verify_epoch(inputs)
    split = split_payments(result.weights(), (*inputs.bandwidth, *inputs.cdn), inputs.payments)
    paid = {}
    for p in inputs.payments:
        paid[(p.payer, p.infohash)] = paid.get((p.payer, p.infohash), 0) + p.amount
    assert sum(v for _, v in split.by_account) + split.unallocated == sum(paid.values())
    assert split.unallocated >= 0
    claims = {c.receipt_id: c for c in (*inputs.bandwidth, *inputs.cdn)}
    per_pool: dict[tuple[str, str], int] = {}
    for rid, share in split.by_receipt:
        c = claims[rid]
        key = (c.downloader, c.infohash) if isinstance(c, BandwidthClaim) else (c.viewer, c.content)
        per_pool[key] = per_pool.get(key, 0) + share
    assert all(total <= paid.get(pool, 0) for pool, total in per_pool.items())


@FAST
@given(epochs(), st.data())
def test_input_order_never_changes_the_result(inputs: EpochInputs, data: st.DataObject) -> None:
    assert verify_epoch(reorder(inputs, data)) == verify_epoch(inputs)


@FAST
@given(st.lists(st.integers(1, 10**9), max_size=30), st.integers(0, 10**10))
def test_water_fill_keeps_within_budget_and_spares_the_smallest(
    amounts: list[int], budget: int
) -> None:
    from servicelayer.verification.verdicts import water_fill

    items = [(f"r{i:02}", a) for i, a in enumerate(amounts)]
    cuts = water_fill(items, budget)
    paid = {rid: a * cuts.get(rid, 1_000_000) // 1_000_000 for rid, a in items}
    assert all(0 <= w < 1_000_000 for w in cuts.values())
    if sum(amounts) <= budget:
        assert cuts == {}
    else:
        assert sum(paid.values()) <= budget
        uncut = [a for rid, a in items if rid not in cuts]
        assert all(a <= min((x for r, x in items if r in cuts), default=a) for a in uncut)
