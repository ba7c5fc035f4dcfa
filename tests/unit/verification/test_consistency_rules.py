"""Windows, epochs, cumulative amounts and self-service."""

from __future__ import annotations

import pytest
from verification_factories import make_bw, make_inputs, make_view, vetted

from servicelayer.errors import InvalidInput
from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import BandwidthClaim


def verdict_of(inputs, rid):  # type: ignore[no-untyped-def]
    return verify_epoch(inputs).by_id()[rid]


def test_honest_claim_in_unprobed_swarm_of_vetted_uploader_is_accepted() -> None:
    v = verdict_of(make_inputs((make_bw("r1", window=120),)), "r1")
    assert (v.verdict, v.weight_ppm, v.reasons) == (Verdict.ACCEPTED, 1_000_000, ())


@pytest.mark.parametrize(
    ("claim", "code"),
    [
        pytest.param(make_bw("r1", window=90), ReasonCode.WINDOW_MISALIGNED, id="misaligned"),
        pytest.param(make_bw("r1", window=3600), ReasonCode.WINDOW_OUTSIDE_EPOCH, id="next-epoch"),
        pytest.param(
            make_bw("r1", window=120, delta=500, total=100),
            ReasonCode.CUMULATIVE_INCONSISTENT,
            id="delta-above-total",
        ),
        pytest.param(
            make_bw("r1", window=120, started_at=300),
            ReasonCode.CUMULATIVE_INCONSISTENT,
            id="session-starts-after-window",
        ),
        pytest.param(make_bw("r1", "U", "U"), ReasonCode.SELF_SERVICE, id="self-service"),
    ],
)
def test_malformed_or_replayed_window_is_rejected(claim: BandwidthClaim, code: ReasonCode) -> None:
    v = verdict_of(make_inputs((claim,)), "r1")
    assert v.verdict == Verdict.REJECTED
    assert v.weight_ppm == 0
    assert code in v.reasons


def test_viewing_window_outside_the_epoch_is_rejected() -> None:
    inputs = make_inputs(viewing=(make_view("v1", window=7140),))
    v = verdict_of(inputs, "v1")
    assert v.verdict == Verdict.REJECTED
    assert ReasonCode.WINDOW_OUTSIDE_EPOCH in v.reasons


def test_invalid_input_is_refused_with_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="delta"):
        make_bw("r1", delta=-5, total=10)
    with pytest.raises(InvalidInput, match="same receipt_id"):
        make_inputs((make_bw("r1"), make_bw("r1", window=60)))
    with pytest.raises(InvalidInput, match="same reputation account"):
        make_inputs(reputations=(vetted("U"), vetted("U")))


def test_reconnect_sharing_one_window_is_accepted() -> None:
    first = tuple(make_bw(f"a{w}", window=60 * w, delta=1_000, session="s1") for w in range(3))
    second = tuple(
        make_bw(f"b{w}", window=60 * w, delta=1_000, session="s2", started_at=150)
        for w in range(2, 5)
    )
    result = verify_epoch(make_inputs(first + second, bitrate=None))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_same_bytes_signed_again_in_a_second_session_are_rejected() -> None:
    first = tuple(make_bw(f"a{w}", window=60 * w, delta=1_000, session="s1") for w in range(4))
    again = tuple(
        make_bw(f"b{w}", window=60 * w, delta=1_000, session="s2", started_at=30) for w in range(4)
    )
    result = verify_epoch(make_inputs(first + again, bitrate=None)).by_id()
    assert all(result[f"a{w}"].verdict == Verdict.ACCEPTED for w in range(4))
    for w in range(1, 4):
        assert result[f"b{w}"].reasons == (ReasonCode.DUPLICATE_SESSION,)
