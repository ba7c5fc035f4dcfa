"""Presence judged from every probe overlapping a claim's period; absent only if watched."""

from __future__ import annotations

from dataclasses import replace

from verification_factories import PIECE, SWARM, make_bw, make_inputs, make_obs

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import PeerObservation, Registration, SwarmProbe


def probe(probe_id: str, start: int, end: int, *peers: PeerObservation) -> SwarmProbe:
    return SwarmProbe(probe_id, SWARM, start, end, PIECE, 1000, None, peers)


def d_seen(start: int, end: int) -> PeerObservation:
    """The downloader, connected to the probe over ``[start, end]``."""
    return make_obs("D", "10.0.0.2:6881", served=0, first_seen=start, last_seen=end)


def u_seen(start: int, end: int) -> PeerObservation:
    return make_obs("U", "10.0.0.1:6881", first_seen=start, last_seen=end)


def test_second_probe_seeing_the_uploader_outweighs_a_first_partial_blind_one() -> None:
    blind = probe("p1", 0, 20, d_seen(0, 20))
    seeing = probe("p2", 20, 80, d_seen(20, 80), u_seen(50, 80))
    result = verify_epoch(make_inputs((make_bw("r1", window=0),), probes=(blind, seeing)))
    v = result.by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.ACCEPTED, ())
    assert not [o for o in result.outcomes if not o.passed]


def test_partial_overlap_without_sighting_is_unsampled_with_no_reputation_failure() -> None:
    partial = probe("p1", 0, 30, d_seen(0, 30))
    result = verify_epoch(make_inputs((make_bw("r1", window=0),), probes=(partial,)))
    v = result.by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.ACCEPTED, ())  # vetted uploader, unsampled
    assert not [o for o in result.outcomes if not o.passed]
    u = next(r for r in result.reputations if r.account == "U")
    assert (u.failed_total, u.recent_failures) == (0, 0)


def test_unsampled_claim_of_a_fresh_uploader_is_judged_by_reputation_not_absence() -> None:
    partial = probe("p1", 0, 30, d_seen(0, 30))
    inputs = make_inputs((make_bw("r1", window=0),), probes=(partial,), reputations=())
    v = verify_epoch(inputs).by_id()["r1"]
    assert v.reasons == (ReasonCode.UNVETTED_ACCOUNT,)


def test_probe_connected_to_nobody_is_not_evidence_of_absence() -> None:
    refused = probe("p1", 0, 60, make_obs("X", answered=False, first_seen=0, last_seen=0))
    result = verify_epoch(make_inputs((make_bw("r1", window=0),), probes=(refused,)))
    assert result.by_id()["r1"].verdict == Verdict.ACCEPTED
    assert not [o for o in result.outcomes if not o.passed]


def test_probe_that_watched_the_whole_window_and_missed_the_uploader_finds_it_absent() -> None:
    watching = probe("p1", 0, 60, d_seen(1, 60))
    v = verify_epoch(make_inputs((make_bw("r1", window=0),), probes=(watching,))).by_id()["r1"]
    assert (v.verdict, v.reasons, v.evidence) == (
        Verdict.REJECTED,
        (ReasonCode.UPLOADER_ABSENT,),
        ("probe:p1",),
    )


def test_a_claim_speaks_only_for_its_window_after_the_session_started() -> None:
    claim = make_bw("r1", window=0, started_at=42)
    before = probe("p1", 0, 40, d_seen(0, 40))
    assert verify_epoch(make_inputs((claim,), probes=(before,))).by_id()["r1"].reasons == ()
    over = probe("p2", 38, 100, d_seen(38, 100))
    v = verify_epoch(make_inputs((claim,), probes=(over,))).by_id()["r1"]
    assert v.reasons == (ReasonCode.UPLOADER_ABSENT,)


def test_a_probe_read_by_two_epochs_vouches_only_in_the_one_its_middle_falls_in() -> None:
    """A window's probe starts before its window: it vouches in its window's epoch."""
    early = probe("p1", 3590, 3670, d_seen(3590, 3670), u_seen(3590, 3670))
    first = verify_epoch(make_inputs(probes=(early,)))
    second = verify_epoch(replace(make_inputs(probes=(early,)), epoch=1, epoch_start=3600))
    assert not first.outcomes
    assert [o.account for o in second.outcomes if o.passed] == ["U"]
    late = probe("p2", 3550, 3610, d_seen(3550, 3610), u_seen(3550, 3610))
    assert [o.passed for o in verify_epoch(make_inputs(probes=(late,))).outcomes] == [True]


def test_a_downloader_unseen_all_the_time_the_uploader_was_there_is_absent() -> None:
    """The swarm's first window: the probe runs from before the window but connects only
    when the uploader arrives at 110; the downloader registered no endpoint. Bytes from
    the uploader could only move from then on, and the probe watched all of that without
    seeing the downloader."""
    arrived = probe("p1", 50, 130, u_seen(110, 130))
    v = verify_epoch(make_inputs((make_bw("r1", window=60),), probes=(arrived,))).by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.REJECTED, (ReasonCode.DOWNLOADER_ABSENT,))
    registered = make_inputs((make_bw("r1", window=60),), probes=(arrived,))
    registered = replace(registered, registrations=(Registration("D", ("10.0.0.2:6881",)),))
    v = verify_epoch(registered).by_id()["r1"]  # a registered one is judged by full watches
    assert (v.verdict, v.reasons) == (Verdict.ACCEPTED, ())
    honest = probe("p1", 50, 130, u_seen(110, 130), d_seen(112, 130))  # arrived with it
    v = verify_epoch(make_inputs((make_bw("r1", window=60),), probes=(honest,))).by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.ACCEPTED, ())


def test_a_probe_that_began_after_the_period_cannot_tell_when_the_uploader_arrived() -> None:
    late = probe("p1", 90, 150, u_seen(91, 150))
    v = verify_epoch(make_inputs((make_bw("r1", window=60),), probes=(late,))).by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.ACCEPTED, ())
