"""The real-swarm benchmark in its quick form (``acenode bench swarm --runs 3``): a real
node, real libtorrent peers on loopback, 60 s epochs. The first scenario's origin starts
late in a minute, so its viewers' sessions cross a window and an epoch boundary; every
receipt is judged and scored, and the cheaters beside them must not be paid beyond the
documented tolerances."""

from __future__ import annotations

import json
import time

import pytest

from node.bench.swarm import Outcome, SwarmBenchConfig, run_bench, scenario_outcomes
from servicelayer.verification.tolerances import VIEW_BYTES_SLACK_SECONDS
from testnet.swarm import KiB
from testnet.swarm_scenario import BITRATE

VIDEO = 1280 * KiB  # 40 s of video (still longer than the prebuffer), ~37 s to stream

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEYS = (
    "runs",
    "honest_rejected_share",
    "honest_rejected_share_upper",
    "honest_rejected_bytes_share",
    "honest_rejected_bytes_share_upper",
    "fraud_paid_share",
    "fraud_paid_share_upper",
    "deferred_share",
    "by_reason",
)


def _late_second() -> int:
    """A second late in the minute, soon (the node starts in about 10 s). Not later than
    :44: the viewers join within ``JOIN_SPREAD_S`` of the origin's start, after a few
    seconds of registrations that a loaded machine stretches, and the first of them must
    still begin before the minute ends for the sessions to cross it."""
    soon = int(time.time() + 20) % 60
    return soon if 36 <= soon <= 44 else 40


def test_late_start_crossing_an_epoch_is_paid_and_cheaters_are_not() -> None:
    late = _late_second()
    bench = run_bench(
        SwarmBenchConfig(
            runs=3,
            concurrency=3,
            cpu_load=0,
            defer_epochs=0,  # deferred verdicts are judgements too; their resolution is
            # the demo's test's and test_epoch_pipeline's (this saves two minutes)
            start_seconds=(late,),
            video_bytes=VIDEO,
        )
    )
    figures = json.loads(json.dumps(bench.figures))  # what --json prints
    assert set(KEYS) <= set(figures) and figures["runs"] == 3
    assert figures["runs_failed"] == 0, figures["errors"]
    for key in KEYS[1:-1]:
        assert 0.0 <= figures[key] <= 1.0
    assert figures["honest_rejected_share"] <= figures["honest_rejected_share_upper"]

    scored = scenario_outcomes(bench, 0)
    assert bench.results[0].start_second == late
    cheats: dict[str, list[Outcome]] = {}
    for o in scored:
        if o.signed.truth != "honest":
            cheats.setdefault(o.signed.truth, []).append(o)
    assert set(cheats) == {
        "inflated_bytes",
        "absent_uploader",
        "colluding_pair",
        "viewing_without_bytes",
    }
    # fabricated service is refused outright
    for attack in ("absent_uploader", "colluding_pair"):
        assert all(o.weight_ppm == 0 for o in cheats[attack]), cheats[attack]
    # an inflated claim keeps at most what the stream could carry in its window
    for o in cheats["inflated_bytes"]:
        assert o.paid <= BITRATE * 60 * 13 // 10 + BITRATE * 30
    # seconds watched without bytes count at most for the buffered-playback slack
    for o in cheats["viewing_without_bytes"]:
        assert o.paid <= VIEW_BYTES_SLACK_SECONDS

    # the honest peers of the late start crossed an epoch boundary, and every receipt they
    # signed was judged and is scored in the figures. (That they are all paid is not
    # asserted here: in the 60-run benchmark a few scenarios in a hundred still lose
    # honest receipts, issue #10; the demo's test asserts it for a late start.)
    honest = [o for o in scored if o.signed.truth == "honest"]
    windows = {o.signed.window for o in honest if o.signed.kind == "bandwidth"}
    assert len(windows) >= 2, "the honest sessions crossed an epoch boundary"
    assert figures["unjudged_receipts"] == 0
    everyone = [o for i in range(3) for o in scenario_outcomes(bench, i)]
    assert figures["receipts"] == len(everyone)
    assert figures["honest_receipts"] >= sum(1 for o in everyone if o.signed.truth == "honest")
