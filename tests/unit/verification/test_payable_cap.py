"""Bandwidth rewards are capped by what viewers paid."""

from __future__ import annotations

from verification_factories import PER_WINDOW, SWARM, make_bw, make_cdn, make_inputs

from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import ViewerPayment
from servicelayer.verification.payable import payable_bandwidth, split_payments

UNIT = 10_000_000  # one unit in stroops


def test_self_dealing_cluster_earns_nothing_when_no_viewer_paid() -> None:
    # Members pay nothing; even if every claim were accepted, there is nothing to split.
    farm = ("S1", "S2", "S3", "S4")
    claims = tuple(
        make_bw(f"f{i}{j}", farm[j], farm[i], window=60 * i, delta=PER_WINDOW // 2)
        for i in range(4)
        for j in range(4)
        if i != j
    )
    everything_accepted = {c.receipt_id: 1_000_000 for c in claims}
    honest = (ViewerPayment("V", SWARM, UNIT),)
    assert payable_bandwidth(everything_accepted, claims, honest) == {}
    result = verify_epoch(make_inputs(claims, payments=honest))
    assert payable_bandwidth(result.weights(), claims, honest) == {}


def test_viewer_payment_is_split_by_verified_bytes() -> None:
    claims = (make_bw("r1", "V", "A", delta=3_000_000), make_bw("r2", "V", "B", delta=1_000_000))
    pay = (ViewerPayment("V", SWARM, UNIT),)
    result = verify_epoch(make_inputs(claims, payments=pay))
    assert payable_bandwidth(result, claims, pay) == {"A": UNIT * 3 // 4, "B": UNIT // 4}


def test_fake_receipts_from_a_non_paying_account_do_not_dilute_honest_uploaders() -> None:
    honest = make_bw("r1", "V", "A", delta=PER_WINDOW)
    fake = tuple(make_bw(f"x{i}", f"Sybil{i}", "Z", delta=PER_WINDOW) for i in range(20))
    pay = (ViewerPayment("V", SWARM, UNIT),)
    weights = {c.receipt_id: 1_000_000 for c in (honest, *fake)}
    assert payable_bandwidth(weights, (honest, *fake), pay) == {"A": UNIT}


def test_down_weighted_bytes_earn_less_and_the_difference_stays_unallocated() -> None:
    claims = (make_bw("r1", "V", "A", delta=1_000), make_bw("r2", "V", "B", delta=1_000))
    cdn = make_cdn("c1", "V", delta=2_000)
    pay = (ViewerPayment("V", SWARM, 1_000), ViewerPayment("W", SWARM, 500))
    split = split_payments({"r1": 1_000_000, "r2": 500_000, "c1": 1_000_000}, (*claims, cdn), pay)
    # V's 1 000 is split by claimed bytes (1/4, 1/4, 1/2), each share times its weight;
    # W paid 500 but signed nothing, so its payment stays unallocated.
    assert split.accounts() == {"A": 250, "B": 125, "CDN": 500}
    assert split.paid_in == 1_500
    assert split.unallocated == 1_500 - (250 + 125 + 500)


def test_paying_sybil_with_cut_receipts_gets_back_only_the_verified_part() -> None:
    fake = (make_bw("x1", "S", "T", delta=4_000_000),)
    pay = (ViewerPayment("S", SWARM, UNIT),)
    assert payable_bandwidth({"x1": 10_000}, fake, pay) == {"T": UNIT // 100}
