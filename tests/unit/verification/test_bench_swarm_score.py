"""How ``acenode bench swarm`` scores stored verdicts against the truth it recorded: the
accounting counts claim x weight, so what counts as paid for nothing is the part of that
beyond everything the signer received, not a proportional share of its fake bytes; and a
cheater's stream is scored as a whole (a window's claim may hold bytes that arrive after
the receipt was signed)."""

from __future__ import annotations

from node.bench.swarm import Verdicts, score
from testnet.swarm_scenario import ScenarioResult, Signed

MB = 1_000_000


def _run(claimed: int, real: int, received: int, weight_ppm: int) -> dict[str, object]:
    """One inflating viewer's receipt and one honest receipt in one scenario."""
    signed = [
        Signed(
            "r-cheat",
            "0/viewer/inflated",
            "inflated_bytes",
            "bandwidth",
            claimed,
            real,
            60,
            received,
        ),
        Signed("r-honest", "0/viewer0/bytes", "honest", "bandwidth", 2 * MB, 2 * MB, 60),
    ]
    result = ScenarioResult(0, 45, True, 60, 120, "00" * 20, receipts=signed)
    verdicts = Verdicts()
    verdicts.by_id["r-cheat"] = {"verdict": "verified", "weight_ppm": weight_ppm, "reasons": []}
    verdicts.by_id["r-honest"] = {"verdict": "verified", "weight_ppm": 1_000_000, "reasons": []}
    return score([result], verdicts)


def test_a_claim_cut_to_what_the_signer_received_pays_nothing_fabricated() -> None:
    # claims 5 MB, got 1 MB from the origin and 3 MB in all: counted 4 MB (weight 0.8)
    figures = _run(5 * MB, 1 * MB, 4 * MB, 800_000)
    assert figures["fraud_units"] == 1 * MB
    assert figures["fraud_paid_share"] == 0.0
    assert figures["misattributed_units"] == 3 * MB
    assert figures["misattributed_paid_share"] == 1.0
    assert figures["honest_rejected_bytes_share"] == 0.0


def test_what_is_counted_beyond_all_received_is_paid_for_nothing() -> None:
    # claims 5 MB, got 1 MB in all (from the origin): counted 1.5 MB, so 0.5 MB of 4 fake
    figures = _run(5 * MB, 1 * MB, 1 * MB, 300_000)
    assert figures["fraud_units"] == 4 * MB
    assert figures["fraud_paid_share"] == 0.125
    assert figures["misattributed_units"] == 0
    assert figures["by_attack"]["inflated_bytes"]["paid_share"] == 0.125
    assert figures["by_reason"]["verified:(none)"]["fraud_units_refused"] == 3.5 * MB


def test_a_stream_is_scored_as_a_whole() -> None:
    # window 1: claims 3 MB with 1 MB received by signing time, counted in full; window 2:
    # claims 1 MB more, 4 MB received in all by then: 4 MB paid for 4 MB received
    signed = [
        Signed("w1", "0/v/inflated", "inflated_bytes", "bandwidth", 3 * MB, MB // 2, 60, MB),
        Signed("w2", "0/v/inflated", "inflated_bytes", "bandwidth", 4 * MB, MB, 120, 4 * MB),
    ]
    verdicts = Verdicts()
    for rid in ("w1", "w2"):
        verdicts.by_id[rid] = {"verdict": "verified", "weight_ppm": 1_000_000, "reasons": []}
    figures = score([ScenarioResult(0, 45, True, 60, 180, "00" * 20, receipts=signed)], verdicts)
    assert figures["fraud_units"] == 0 and figures["fraud_paid_share"] == 0.0
    assert figures["misattributed_units"] == 3 * MB
    # and had window 2 claimed 6 MB, 2 MB of it would be fake, all of it paid
    signed[1].claimed = 6 * MB
    figures = score([ScenarioResult(0, 45, True, 60, 180, "00" * 20, receipts=signed)], verdicts)
    assert figures["fraud_units"] == 2 * MB and figures["fraud_paid_share"] == 1.0
    assert figures["fraud_streams"] == 1


def test_a_claim_cut_below_the_named_peers_bytes_pays_nothing_beyond_the_truth() -> None:
    figures = _run(5 * MB, 2 * MB, 3 * MB, 200_000)  # counted 1 MB of 2 MB real
    assert figures["fraud_paid_share"] == 0.0
    assert figures["misattributed_paid_share"] == 0.0
