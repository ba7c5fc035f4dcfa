"""A downloader's receipts are bounded by its bitfield growth and by the stream bitrate."""

from __future__ import annotations

from verification_factories import (
    BITRATE,
    PER_WINDOW,
    PIECE,
    SWARM,
    growing_bitfield,
    make_bw,
    make_cdn,
    make_inputs,
    make_obs,
    make_probe,
    make_view,
)

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import Registration, SwarmProbe
from servicelayer.verification.tolerances import (
    BITFIELD_SLACK_PIECES,
    BITFIELD_TOLERANCE_PPM,
    BITRATE_TOLERANCE_PPM,
    HELD_CLOCK_SLACK_SECONDS,
    PREBUFFER_SECONDS,
    SESSION_SLACK_PIECES,
)


def test_viewer_receiving_the_stream_from_three_uploaders_is_accepted() -> None:
    claims = tuple(make_bw(f"r{u}", "D", u, window=600, delta=PER_WINDOW // 3) for u in "ABC")
    result = verify_epoch(make_inputs(claims))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_session_start_may_prebuffer_above_the_bitrate() -> None:
    delta = PER_WINDOW + BITRATE * PREBUFFER_SECONDS
    claim = make_bw("r1", "D", "A", window=600, delta=delta, started_at=600)
    assert verify_epoch(make_inputs((claim,))).by_id()["r1"].verdict == Verdict.ACCEPTED


def test_inflated_receipt_is_cut_and_the_honest_ones_beside_it_survive() -> None:
    honest = tuple(make_bw(f"r{u}", "D", u, window=600, delta=PER_WINDOW // 3) for u in "BC")
    inflated = make_bw("rA", "D", "A", window=600, delta=PER_WINDOW * 4)
    watched = (make_view("v1", "D", window=600, started_at=600),)
    result = verify_epoch(make_inputs((*honest, inflated), viewing=watched)).by_id()
    assert result["rB"].verdict == result["rC"].verdict == Verdict.ACCEPTED
    cut = result["rA"]
    assert cut.verdict == Verdict.DOWN_WEIGHTED
    assert ReasonCode.EXCEEDS_STREAM_BITRATE in cut.reasons
    budget = PER_WINDOW * BITRATE_TOLERANCE_PPM // 1_000_000
    paid = inflated.delta_bytes * cut.weight_ppm // 1_000_000
    assert paid <= budget - 2 * (PER_WINDOW // 3)


def test_cdn_bytes_count_against_the_same_viewer_bound() -> None:
    p2p = make_bw("r1", "D", "A", window=600, delta=PER_WINDOW)
    cdn = make_cdn("c1", "D", window=600, delta=PER_WINDOW)
    result = verify_epoch(make_inputs((p2p,), cdn=(cdn,))).by_id()
    assert result["r1"].reasons == result["c1"].reasons == (ReasonCode.EXCEEDS_STREAM_BITRATE,)


def test_receipts_matching_bitfield_growth_are_accepted() -> None:
    probe = make_probe(make_obs("U"), make_obs("D", served=0, bitfield=growing_bitfield()))
    claims = tuple(make_bw(f"r{w}", window=60 * w, delta=PER_WINDOW) for w in range(10))
    result = verify_epoch(make_inputs(claims, probes=(probe,), bitrate=None))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_receipts_above_bitfield_growth_are_cut_even_without_a_bitrate() -> None:
    slow = growing_bitfield(per_window=10)  # the probe saw D gain 10 pieces per window
    probe = make_probe(make_obs("U"), make_obs("D", served=0, bitfield=slow))
    claim = make_bw("r1", window=120, delta=PER_WINDOW)
    v = verify_epoch(make_inputs((claim,), probes=(probe,), bitrate=None)).by_id()["r1"]
    assert v.verdict == Verdict.DOWN_WEIGHTED
    assert v.reasons == (ReasonCode.EXCEEDS_BITFIELD_GROWTH,)
    assert claim.delta_bytes * v.weight_ppm // 1_000_000 <= (10 + 4) * PIECE * 11 // 10


def test_bitfield_rule_needs_samples_on_both_sides_of_the_window() -> None:
    early = ((0, 0), (60, 60))  # no sample after the claimed window
    probe = make_probe(make_obs("U"), make_obs("D", served=0, bitfield=early))
    claim = make_bw("r1", window=300, delta=PER_WINDOW)
    v = verify_epoch(make_inputs((claim,), probes=(probe,), bitrate=None)).by_id()["r1"]
    assert v.verdict == Verdict.ACCEPTED


def test_a_session_is_paid_for_the_content_at_most_once_however_much_it_signs() -> None:
    pieces = 100  # a 10 MB video, as the swarm's probe read its torrent
    ceiling = (pieces + SESSION_SLACK_PIECES) * PIECE
    probe = SwarmProbe("p", SWARM, 0, 600, PIECE, pieces, None, ())
    first = make_bw("r1", "D", "A", window=0, delta=8_000_000, started_at=0)
    # signs 6 MB more a window later: the session would hold 14 MB of a 10 MB video
    second = make_bw("r2", "D", "A", window=60, delta=6_000_000, total=14_000_000, started_at=0)
    other = make_bw("r3", "D2", "A", window=60, delta=6_000_000, total=14_000_000, started_at=0)
    inputs = make_inputs((first, second), probes=(probe,), bitrate=None)
    v = verify_epoch(inputs).by_id()
    assert v["r1"].verdict == Verdict.ACCEPTED
    assert (v["r2"].verdict, v["r2"].reasons) == (
        Verdict.DOWN_WEIGHTED,
        (ReasonCode.EXCEEDS_CONTENT_SIZE,),
    )
    assert v["r2"].weight_ppm == (ceiling - 8_000_000) * 1_000_000 // 6_000_000
    # a swarm no probe read the torrent of has no such ceiling
    unread = make_inputs((other,), bitrate=None)
    assert verify_epoch(unread).by_id()["r3"].verdict == Verdict.ACCEPTED


def test_bytes_signed_up_to_a_window_end_are_cut_to_the_pieces_the_probe_saw_held() -> None:
    d = "10.0.0.2:6881"
    # 30 pieces (3 MB) by the window's end (and its clock slack), 40 a moment later; it
    # joined the probe mid-window, so its growth across the window is unknown
    end = 60 + HELD_CLOCK_SLACK_SECONDS
    held = ((40, 20), (end - 1, 30), (end + 1, 40))
    probe = make_probe(
        make_obs("U", "10.0.0.1:6881"),
        make_obs("U2", "10.0.0.4:6881"),
        make_obs("D", d, served=0, bitfield=held, first_seen=40),
    )
    claims = (
        make_bw("r1", "D", "U", window=0, delta=3_000_000, started_at=0),
        make_bw("r2", "D", "U2", window=0, delta=3_000_000, started_at=0),
    )
    registered = (Registration("D", (d,)),)
    result = verify_epoch(make_inputs(claims, probes=(probe,), registrations=registered))
    ceiling = (30 + BITFIELD_SLACK_PIECES) * PIECE * BITFIELD_TOLERANCE_PPM // 1_000_000
    v = result.by_id()
    assert {v["r1"].verdict, v["r2"].verdict} == {Verdict.DOWN_WEIGHTED}
    assert v["r1"].reasons == v["r2"].reasons == (ReasonCode.EXCEEDS_PIECES_HELD,)
    counted = sum(c.delta_bytes * v[c.receipt_id].weight_ppm // 1_000_000 for c in claims)
    assert ceiling - 2 <= counted <= ceiling
    # signing for bytes it does not hold is a probe failure of the downloader
    assert any(o.account == "D" and not o.passed for o in result.outcomes)
    # an account with an endpoint the probe never reached is not bounded this way
    two = (Registration("D", (d, "10.0.0.3:6881")),)
    unbounded = verify_epoch(make_inputs(claims, probes=(probe,), registrations=two)).by_id()
    assert ReasonCode.EXCEEDS_PIECES_HELD not in unbounded["r1"].reasons
