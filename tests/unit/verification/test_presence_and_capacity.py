"""Rules that read probe evidence: presence, handshake, capacity."""

from __future__ import annotations

from dataclasses import replace

from verification_factories import (
    PER_WINDOW,
    PROBE,
    growing_bitfield,
    honest_probe,
    make_bw,
    make_inputs,
    make_obs,
    make_probe,
    make_view,
)

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.rules.capacity import capacity_per_window

D_OBS = make_obs("D", "10.0.0.2:6881", served=0, bitfield=growing_bitfield())


def test_uploader_seen_by_the_probe_is_accepted() -> None:
    result = verify_epoch(make_inputs((make_bw("r1"),), probes=(honest_probe(),)))
    assert result.by_id()["r1"].verdict == Verdict.ACCEPTED


def test_uploader_never_present_in_the_probed_swarm_is_rejected() -> None:
    inputs = make_inputs((make_bw("r1"),), probes=(make_probe(D_OBS),))
    v = verify_epoch(inputs).by_id()["r1"]
    assert v.verdict == Verdict.REJECTED
    assert v.reasons == (ReasonCode.UPLOADER_ABSENT,)
    assert v.evidence == (f"probe:{PROBE}",)


def test_uploader_present_only_outside_the_claimed_window_is_absent_there() -> None:
    late = make_obs("U", first_seen=400, last_seen=600)
    inputs = make_inputs(
        (make_bw("r1", window=0), make_bw("r2", window=420)), probes=(make_probe(late, D_OBS),)
    )
    result = verify_epoch(inputs).by_id()
    assert result["r1"].reasons == (ReasonCode.UPLOADER_ABSENT,)
    assert result["r2"].verdict == Verdict.ACCEPTED


def test_uploader_that_never_answers_the_handshake_is_rejected() -> None:
    inputs = make_inputs(
        (make_bw("r1"),), probes=(make_probe(make_obs("U", answered=False), D_OBS),)
    )
    assert verify_epoch(inputs).by_id()["r1"].reasons == (ReasonCode.UPLOADER_UNRESPONSIVE,)


def test_downloader_absent_from_the_probed_swarm_is_rejected() -> None:
    inputs = make_inputs((make_bw("r1"),), probes=(make_probe(make_obs("U")),))
    assert verify_epoch(inputs).by_id()["r1"].reasons == (ReasonCode.DOWNLOADER_ABSENT,)


def test_claims_within_measured_capacity_are_accepted_anywhere_in_the_epoch() -> None:
    allowed = capacity_per_window(10_000)  # U served the probe 600 kB in 60 s
    claims = (
        make_bw("r1", "A", delta=allowed // 2, window=1200),
        make_bw("r2", "B", delta=allowed // 2, window=1200),
    )
    result = verify_epoch(make_inputs(claims, probes=(honest_probe(),), bitrate=None)).by_id()
    assert [result[r].verdict for r in ("r1", "r2")] == [Verdict.ACCEPTED] * 2


def test_claims_somewhat_above_capacity_are_scaled_down_to_it() -> None:
    allowed = capacity_per_window(10_000)
    claims = (
        make_bw("r1", "A", delta=allowed, window=1200),
        make_bw("r2", "B", delta=allowed // 2, window=1200),
    )
    result = verify_epoch(make_inputs(claims, probes=(honest_probe(),), bitrate=None)).by_id()
    for rid in ("r1", "r2"):
        assert result[rid].verdict == Verdict.DOWN_WEIGHTED
        assert result[rid].reasons == (ReasonCode.RATE_ABOVE_CAPACITY,)
    paid = sum(c.delta_bytes * result[c.receipt_id].weight_ppm // 1_000_000 for c in claims)
    assert allowed - 100 <= paid <= allowed


def test_claims_far_above_capacity_are_rejected() -> None:
    claim = make_bw("r1", "A", delta=capacity_per_window(10_000) * 3, window=1200)
    v = verify_epoch(make_inputs((claim,), probes=(honest_probe(),), bitrate=None)).by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.REJECTED, (ReasonCode.RATE_ABOVE_CAPACITY,))


def test_honest_stream_rate_is_far_below_capacity() -> None:
    claims = tuple(make_bw(f"r{w}", window=w * 60, delta=PER_WINDOW) for w in range(10))
    views = tuple(make_view(f"v{w}", window=w * 60, total=60 * (w + 1)) for w in range(10))
    result = verify_epoch(make_inputs(claims, viewing=views, probes=(honest_probe(),)))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_uploader_caught_absent_loses_its_unprobed_windows_in_that_swarm() -> None:
    claims = (
        make_bw("probed", window=0),
        make_bw("later", window=1800),
        make_bw("other-swarm", window=1800, swarm="elsewhere"),
    )
    result = verify_epoch(make_inputs(claims, probes=(make_probe(D_OBS),))).by_id()
    assert result["probed"].reasons == (ReasonCode.UPLOADER_ABSENT,)
    assert result["later"].verdict == Verdict.REJECTED
    assert result["later"].reasons == (ReasonCode.CAUGHT_IN_SWARM,)
    assert result["later"].evidence == (f"probe:{PROBE}",)
    assert result["other-swarm"].verdict == Verdict.ACCEPTED


def test_honest_uploader_seen_by_the_probe_keeps_its_unprobed_windows() -> None:
    claims = (make_bw("probed", window=0), make_bw("later", window=1800))
    result = verify_epoch(make_inputs(claims, probes=(honest_probe(),))).by_id()
    assert result["later"].verdict == Verdict.ACCEPTED


def test_uploader_that_sent_the_probe_corrupt_pieces_is_rejected_and_fails_the_probe() -> None:
    corrupt = replace(make_obs("U"), hash_failures=3)
    inputs = make_inputs((make_bw("r1"),), probes=(make_probe(corrupt, D_OBS),))
    result = verify_epoch(inputs)
    assert result.by_id()["r1"].reasons == (ReasonCode.UPLOADER_CORRUPT,)
    assert [o.code for o in result.outcomes if o.account == "U"] == [ReasonCode.UPLOADER_CORRUPT]


def test_a_couple_of_hash_failures_are_tolerated() -> None:
    unlucky = replace(make_obs("U"), hash_failures=2)
    inputs = make_inputs((make_bw("r1"),), probes=(make_probe(unlucky, D_OBS),))
    assert verify_epoch(inputs).by_id()["r1"].verdict == Verdict.ACCEPTED


def test_a_rate_measured_on_a_few_sampled_pieces_is_no_capacity() -> None:
    """The probe fetched 64 KiB from U in 60 s (its sampled pieces): U's real capacity is
    unknown, so claims far above that rate stand (as in a real swarm of the bench)."""
    sampled = make_probe(make_obs("U", served=65_536), D_OBS)
    claim = make_bw("r1", "A", delta=capacity_per_window(65_536 // 60) * 3, window=1200)
    v = verify_epoch(make_inputs((claim,), probes=(sampled,), bitrate=None)).by_id()["r1"]
    assert ReasonCode.RATE_ABOVE_CAPACITY not in v.reasons
