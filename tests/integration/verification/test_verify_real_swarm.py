"""Receipts from a real libtorrent swarm are judged against the node's own probe of it
(the scenario in testnet/fraud_run.py, which ``acenode bench fraud`` also reports)."""

from __future__ import annotations

import pytest

from servicelayer.receipts import WINDOW_SECONDS
from testnet.fraud_run import BITRATE, run_real

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_honest_receipts_pass_and_fabricated_ones_fail() -> None:
    run = run_real()
    v = run.verdicts
    assert v["honest-1"].verdict == "accepted" and v["honest-2"].verdict == "accepted"
    # the 15 s probe watched only part of the window: it cannot prove the ghost absent, so
    # its claim is unsampled, and a fresh uploader's unsampled claim gets nothing now: it is
    # deferred (held), and rejected within the bound unless a probe vets the account
    absent = v["absent"]
    assert (absent.verdict, absent.weight_ppm) == ("deferred", 0)
    assert absent.reasons == ("unvetted_account",)
    inflated = v["inflated"]
    # cut by an inflation ceiling: the stream's bitrate, the content's size or the pieces
    # it holds (which of them binds depends on how far the download got in the window)
    ceilings = {"exceeds_stream_bitrate", "exceeds_content_size", "exceeds_pieces_held"}
    assert inflated.verdict != "accepted" and ceilings & set(inflated.reasons)
    # what remains of the inflated claim fits in what the stream could carry beside the honest
    claimed = run.tally.bandwidth.fraud_claimed["inflated_bytes"]
    assert claimed * inflated.weight_ppm // 1_000_000 <= BITRATE * WINDOW_SECONDS * 13 // 10
    # honest bytes count in full, give or take the rounding of a capacity bound a loaded
    # machine can shave a few bytes off (the goal: at most 1 % of honest weight lost)
    honest = run.tally.bandwidth
    assert honest.honest_claimed > 0
    assert 0 <= honest.honest_claimed - honest.honest_weighted <= honest.honest_claimed // 100
