"""Reputation from probe history, and the weight it gives unsampled claims."""

from __future__ import annotations

from verification_factories import (
    PER_WINDOW,
    growing_bitfield,
    honest_probe,
    make_bw,
    make_inputs,
    make_obs,
    make_probe,
    vetted,
)

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.reputation import (
    ProbeOutcome,
    Reputation,
    is_vetted,
    reputation_weight,
    update_reputation,
)
from servicelayer.verification.tolerances import VETTING_PASSES

UNSAMPLED = 1800  # window no probe covers


def test_new_account_is_vetted_after_enough_passed_probes() -> None:
    rep: Reputation | None = None
    assert not is_vetted(rep)
    for epoch in range(VETTING_PASSES):
        assert not is_vetted(rep)
        rep = update_reputation(rep, "N", epoch, [ProbeOutcome("N", f"p{epoch}", True)])
    assert is_vetted(rep)
    assert reputation_weight(rep) == 1_000_000


def test_update_is_pure_and_ignores_other_accounts_and_order() -> None:
    old = vetted("U")
    outcomes = [
        ProbeOutcome("U", "p2", False),
        ProbeOutcome("X", "p1", True),
        ProbeOutcome("U", "p1", True),
    ]
    first = update_reputation(old, "U", 3, outcomes)
    assert first == update_reputation(old, "U", 3, list(reversed(outcomes)))
    assert old == vetted("U")
    assert (first.passed_total, first.failed_total, first.recent_failures) == (11, 1, 1)
    assert first.history[-2:] == (True, False)


def test_an_account_that_keeps_failing_probes_earns_nothing_unsampled() -> None:
    rep = vetted("U")
    for epoch in range(1, 12):
        rep = update_reputation(rep, "U", epoch, [ProbeOutcome("U", f"p{epoch}", False)])
    assert reputation_weight(rep) == 0


def test_a_rare_probe_miss_does_not_cost_an_honest_account_its_weight() -> None:
    rep = Reputation("U", 0, 0, passed_total=30, failed_total=0, history=(True,) * 30)
    rep = update_reputation(rep, "U", 1, [ProbeOutcome("U", "p", False)])
    assert reputation_weight(rep) == 1_000_000


def test_a_newcomer_is_paid_without_evidence_only_where_a_probe_saw_it_serve() -> None:
    claims = (
        make_bw("r1", "D", "U", window=UNSAMPLED, delta=1_000_000),
        make_bw("r2", "D", "NEW", window=UNSAMPLED, delta=2_000_000),
    )
    held = verify_epoch(make_inputs(claims)).by_id()
    assert held["r1"].verdict == Verdict.ACCEPTED
    assert (held["r2"].verdict, held["r2"].reasons) == (
        Verdict.DEFERRED,
        (ReasonCode.UNVETTED_ACCOUNT,),
    )
    assert (held["r2"].weight_ppm, held["r2"].held_ppm) == (0, 1_000_000)
    # a probe earlier in the epoch (not over the claim's window) saw NEW serve in the
    # swarm: it was seeding there, as its claim says, and is paid now
    seen = make_probe(make_obs("NEW", "10.0.0.9:6881"), make_obs("U", "10.0.0.1:6881"))
    paid = verify_epoch(make_inputs(claims, probes=(seen,))).by_id()
    assert (paid["r2"].verdict, paid["r2"].weight_ppm) == (Verdict.ACCEPTED, 1_000_000)
    # one that answered without serving is no such evidence
    idle = make_probe(
        make_obs("NEW", "10.0.0.9:6881", served=0, seconds=0), make_obs("U", "10.0.0.1:6881")
    )
    assert verify_epoch(make_inputs(claims, probes=(idle,))).by_id()["r2"].verdict == (
        Verdict.DEFERRED
    )


def test_fresh_accounts_serving_only_each_other_get_nothing_until_vetted() -> None:
    claims = (
        make_bw("r1", "NEW1", "NEW2", window=UNSAMPLED),
        make_bw("r2", "NEW2", "NEW1", window=UNSAMPLED),
    )
    result = verify_epoch(make_inputs(claims, reputations=()))
    for v in result.verdicts:  # a closed pair: rejected now, not deferred
        assert (v.verdict, v.weight_ppm) == (Verdict.REJECTED, 0)
        assert ReasonCode.UNVETTED_ACCOUNT in v.reasons
    assert "reputation:NEW2" in result.by_id()["r1"].evidence


def test_downloader_caught_signing_for_bytes_it_never_got_loses_the_bitrate_tolerance() -> None:
    liar = Reputation("D", 0, 0, passed_total=0, failed_total=6, history=(False,) * 6)
    # 1.2 x the stream in one window: within a trusted viewer's tolerance, not a liar's.
    claims = (make_bw("r1", "D", "U", window=UNSAMPLED, delta=PER_WINDOW * 12 // 10),)
    trusted = verify_epoch(make_inputs(claims)).by_id()["r1"]
    assert trusted.verdict == Verdict.ACCEPTED
    v = verify_epoch(make_inputs(claims, reputations=(vetted("U"), liar))).by_id()["r1"]
    assert (v.verdict, v.reasons) == (Verdict.DOWN_WEIGHTED, (ReasonCode.EXCEEDS_STREAM_BITRATE,))
    assert claims[0].delta_bytes * v.weight_ppm // 1_000_000 <= PER_WINDOW


def test_uploader_caught_twice_this_epoch_loses_its_unsampled_claims_too() -> None:
    second = make_probe(
        make_obs("D", served=0, bitfield=growing_bitfield()), probe_id="probe-2", swarm="other"
    )
    first = make_probe(make_obs("D", served=0, bitfield=growing_bitfield()))
    claims = (
        make_bw("caught1"),
        make_bw("caught2", swarm="other"),
        make_bw("elsewhere", window=UNSAMPLED, swarm="third"),
    )
    result = verify_epoch(make_inputs(claims, probes=(first, second), bitrate=None))
    assert result.by_id()["elsewhere"].reasons == (ReasonCode.LOW_REPUTATION,)
    assert result.by_id()["elsewhere"].verdict == Verdict.REJECTED
    failed = [o for o in result.outcomes if o.account == "U"]
    assert [(o.passed, o.code) for o in failed] == [(False, ReasonCode.UPLOADER_ABSENT)] * 2


def test_probe_that_saw_an_account_serve_vouches_for_it() -> None:
    result = verify_epoch(make_inputs((make_bw("r1"),), probes=(honest_probe(),), reputations=()))
    assert ProbeOutcome("U", "probe-1", True) in result.outcomes
    rep = {r.account: r for r in result.reputations}["U"]
    assert (rep.passed_total, rep.failed_total) == (1, 0)


def test_a_service_check_vets_an_origin_that_served_the_observation_nothing() -> None:
    """A rate-capped origin whose viewers finished serves the probe's observation nothing;
    the piece it delivered alone in the service check vets it. An uploader that advertised
    pieces and refused them fails; a downloader the check refused is not failed for it."""
    from dataclasses import replace

    origin = replace(make_obs("U", "10.0.0.1:6881", served=0, seconds=0), service="served")
    liar = replace(make_obs("V", "10.0.0.3:6881", served=0, seconds=0), service="refused")
    viewer = replace(
        make_obs("D", "10.0.0.2:6881", served=0, bitfield=growing_bitfield()), service="refused"
    )
    claims = (make_bw("r1"), make_bw("r2", uploader="V"))
    result = verify_epoch(
        make_inputs(claims, probes=(make_probe(origin, liar, viewer),), reputations=())
    )
    outcomes = {o.account: o for o in result.outcomes}
    assert outcomes["U"].passed
    assert not outcomes["V"].passed and outcomes["V"].code == ReasonCode.UPLOADER_UNRESPONSIVE
    assert "D" not in outcomes
