"""Viewing time: wall clock, concurrency, and bytes received."""

from __future__ import annotations

from dataclasses import replace

from verification_factories import BITRATE, PER_WINDOW, SWARM, make_bw, make_inputs, make_view

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import EarlierUsage
from servicelayer.verification.tolerances import (
    MAX_CONCURRENT_SESSIONS,
    VIEW_BYTES_SLACK_SECONDS,
    WATCH_BYTES_SLACK_SECONDS,
)


def streamed(windows: range, viewer: str = "D") -> tuple:  # type: ignore[type-arg]
    return tuple(make_bw(f"b{w}", viewer, "U", window=60 * w, delta=PER_WINDOW) for w in windows)


def test_watching_what_was_received_is_accepted() -> None:
    views = tuple(make_view(f"v{w}", window=60 * w, total=60 * (w + 1)) for w in range(20))
    result = verify_epoch(make_inputs(streamed(range(20)), viewing=views))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_more_seconds_than_the_window_is_rejected() -> None:
    v = make_view("v1", window=60, seconds=90, total=90)
    result = verify_epoch(make_inputs(streamed(range(2)), viewing=(v,))).by_id()["v1"]
    assert result.reasons == (ReasonCode.VIEWING_EXCEEDS_WALLCLOCK,)


def test_session_total_longer_than_since_it_started_is_rejected() -> None:
    v = make_view("v1", window=120, seconds=60, total=1200, started_at=60)
    result = verify_epoch(make_inputs(streamed(range(3)), viewing=(v,))).by_id()["v1"]
    assert result.reasons == (ReasonCode.VIEWING_EXCEEDS_WALLCLOCK,)


def test_overlapping_sessions_beyond_max_concurrency_are_cut() -> None:
    sessions = MAX_CONCURRENT_SESSIONS + 3
    views = tuple(make_view(f"v{s}", session=f"s{s}", window=0) for s in range(sessions))
    received = tuple(
        make_bw(f"b{s}", "D", "U", window=0, delta=PER_WINDOW, swarm=f"other{s}")
        for s in range(sessions)
    )
    result = verify_epoch(make_inputs(received, viewing=views, bitrate=None))
    verdicts = [result.by_id()[f"v{s}"] for s in range(sessions)]
    assert all(v.reasons == (ReasonCode.VIEWING_OVER_CONCURRENCY,) for v in verdicts)
    paid = sum(60 * v.weight_ppm // 1_000_000 for v in verdicts)
    assert paid <= 60 * MAX_CONCURRENT_SESSIONS


def test_minutes_claimed_after_the_bytes_stopped_are_cut() -> None:
    views = tuple(make_view(f"v{w}", window=60 * w, total=60 * (w + 1)) for w in range(60))
    result = verify_epoch(make_inputs(streamed(range(5)), viewing=views)).by_id()
    assert [result[f"v{w}"].verdict for w in range(5)] == [Verdict.ACCEPTED] * 5
    late = [result[f"v{w}"] for w in range(6, 60)]
    assert all(v.verdict == Verdict.REJECTED for v in late)
    assert all(v.reasons == (ReasonCode.VIEWING_NOT_BACKED_BY_BYTES,) for v in late)
    paid_seconds = sum(60 * result[f"v{w}"].weight_ppm // 1_000_000 for w in range(60))
    assert paid_seconds <= 5 * 60 * 100 // 95 + VIEW_BYTES_SLACK_SECONDS


def test_viewing_backed_only_by_rejected_bytes_is_cut() -> None:
    fake = tuple(make_bw(f"b{w}", "D", "D", window=60 * w, delta=PER_WINDOW) for w in range(5))
    views = tuple(make_view(f"v{w}", window=60 * w, total=60 * (w + 1)) for w in range(5))
    result = verify_epoch(make_inputs(fake, viewing=views)).by_id()
    assert ReasonCode.VIEWING_NOT_BACKED_BY_BYTES in result["v4"].reasons


def test_bytes_nobody_watched_are_cut_and_watched_ones_kept() -> None:
    watched = tuple(make_view(f"v{w}", "D", window=60 * w, total=60 * (w + 1)) for w in range(10))
    result = verify_epoch(make_inputs(streamed(range(10), "D"), viewing=watched))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}
    unwatched = verify_epoch(make_inputs(streamed(range(10), "D"))).by_id()
    assert all(ReasonCode.BYTES_NOT_WATCHED in unwatched[f"b{w}"].reasons for w in range(10))
    paid = sum(PER_WINDOW * unwatched[f"b{w}"].weight_ppm // 1_000_000 for w in range(10))
    assert paid <= BITRATE * WATCH_BYTES_SLACK_SECONDS


def test_viewing_without_a_byte_received_is_rejected_whole() -> None:
    views = (make_view("v0", window=0, seconds=30, total=30),)
    v = verify_epoch(make_inputs((), viewing=views)).by_id()["v0"]
    assert (v.verdict, v.reasons) == (Verdict.REJECTED, (ReasonCode.VIEWING_NOT_BACKED_BY_BYTES,))


def test_bytes_received_in_an_earlier_epoch_back_playback_now_once() -> None:
    """A video downloaded in the previous epoch is watched in this one: the earlier bytes
    back it, minus what was already watched on them then."""
    views = (make_view("v0", window=60, seconds=60, total=120),)
    downloaded = EarlierUsage("D", SWARM, received_bytes=3 * PER_WINDOW, watched_seconds=60)
    inputs = replace(make_inputs((), viewing=views), earlier=(downloaded,))
    assert verify_epoch(inputs).by_id()["v0"].verdict == Verdict.ACCEPTED
    spent = replace(downloaded, watched_seconds=3 * 60)  # those bytes were all watched then
    v = verify_epoch(replace(inputs, earlier=(spent,))).by_id()["v0"]
    assert v.reasons == (ReasonCode.VIEWING_NOT_BACKED_BY_BYTES,)
    tolerance = 3 * 60 * 5 // 95 + 1  # the 95 % the bytes must back
    assert v.weight_ppm <= (VIEW_BYTES_SLACK_SECONDS + tolerance) * 1_000_000 // 60
