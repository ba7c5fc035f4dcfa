"""Deferred claims: held in their epoch, judged again by the next ones within the bound."""

from __future__ import annotations

from dataclasses import replace

from verification_factories import make_bw, make_inputs, make_obs, make_probe, vetted

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import ClaimKind, DeferredClaim
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.rules.deferred import resolve_deferred
from servicelayer.verification.tolerances import DEFERRAL_EPOCHS, PPM
from servicelayer.verification.verdicts import Finding, Resolution, compose

SWARM = "ih-swarm-1"
UNSAMPLED = 1800


def finding(code: ReasonCode, weight: int) -> Finding:
    return Finding("r1", code, weight, (f"ref:{code}",))


def test_a_claim_only_vetting_holds_is_deferred_holding_the_other_rules_weight() -> None:
    v = compose(
        "r1",
        ClaimKind.BANDWIDTH,
        [
            finding(ReasonCode.UNVETTED_ACCOUNT, 200_000),
            finding(ReasonCode.RATE_ABOVE_CAPACITY, 700_000),
            finding(ReasonCode.LOW_REPUTATION, 500_000),  # re-judged later: not held
        ],
    )
    assert (v.verdict, v.weight_ppm, v.held_ppm) == (Verdict.DEFERRED, 0, 700_000)
    assert ReasonCode.UNVETTED_ACCOUNT in v.reasons


def test_a_claim_another_rule_rejects_is_rejected_not_deferred() -> None:
    for code in (ReasonCode.CAUGHT_IN_SWARM, ReasonCode.LOW_REPUTATION, ReasonCode.CLOSED_CLUSTER):
        findings = [finding(ReasonCode.UNVETTED_ACCOUNT, 0), finding(code, 0)]
        v = compose("r1", ClaimKind.BANDWIDTH, findings)
        assert (v.verdict, v.weight_ppm) == (Verdict.REJECTED, 0)


def deferred(held: int = PPM, epoch: int = 0, uploader: str = "NEW") -> DeferredClaim:
    return DeferredClaim("r1", epoch, uploader, SWARM, held)


def fresh(passes: int, fails: int = 0) -> Reputation:
    history = (True,) * passes + (False,) * fails
    return Reputation("NEW", 0, 1, passes, fails, history, 0)


def resolve(
    epoch: int, d: DeferredClaim, rep: Reputation | None, caught: dict[tuple[str, str], str]
) -> tuple[Resolution, ...]:
    return resolve_deferred(epoch, [d], {} if rep is None else {"NEW": rep}, caught)


def test_released_once_the_uploader_is_vetted_with_the_weight_held() -> None:
    (r,) = resolve(1, deferred(), fresh(2), {})
    assert (r.verdict, r.weight_ppm, r.reasons, r.deferred_epoch) == (
        Verdict.ACCEPTED,
        PPM,
        (),
        0,
    )
    (r,) = resolve(2, deferred(held=600_000), fresh(2), {})
    assert (r.verdict, r.weight_ppm) == (Verdict.DOWN_WEIGHTED, 600_000)


def test_released_when_a_later_probe_saw_the_uploader_serve_that_swarm() -> None:
    """One pass is not vetting, but a probe of the claim's own swarm that the uploader
    served in the next epoch is evidence it was seeding there."""
    assert resolve(1, deferred(), fresh(1), {}) == ()  # a pass elsewhere: still waiting
    (r,) = resolve_deferred(1, [deferred()], {"NEW": fresh(1)}, {}, {("NEW", SWARM): "p9"})
    assert (r.verdict, r.weight_ppm, r.evidence) == (Verdict.ACCEPTED, PPM, ("probe:p9",))


def test_reputation_cuts_a_release() -> None:
    (r,) = resolve(1, deferred(), fresh(8, fails=2), {})  # 1 unforgiven failure in 10
    assert (r.verdict, r.weight_ppm) == (Verdict.ACCEPTED, PPM)
    (r,) = resolve(1, deferred(), fresh(8, fails=3), {})
    assert r.verdict == Verdict.DOWN_WEIGHTED and 0 < r.weight_ppm < PPM
    assert r.reasons == (ReasonCode.LOW_REPUTATION,)


def test_caught_in_the_swarm_or_zero_reputation_is_rejected() -> None:
    (r,) = resolve(1, deferred(), fresh(2), {("NEW", SWARM): "probe-9"})
    assert (r.verdict, r.reasons, r.evidence) == (
        Verdict.REJECTED,
        (ReasonCode.CAUGHT_IN_SWARM,),
        ("probe:probe-9",),
    )
    (r,) = resolve(1, deferred(), fresh(0, fails=4), {})
    assert (r.verdict, r.weight_ppm, r.reasons) == (
        Verdict.REJECTED,
        0,
        (ReasonCode.LOW_REPUTATION,),
    )
    # caught in another swarm only: still released
    (r,) = resolve(1, deferred(), fresh(2), {("NEW", "other"): "probe-9"})
    assert r.verdict == Verdict.ACCEPTED


def test_undecided_claims_wait_until_the_bound_then_expire_rejected() -> None:
    for epoch in range(1, DEFERRAL_EPOCHS):
        assert resolve(epoch, deferred(), fresh(1), {}) == ()
        assert resolve(epoch, deferred(), None, {}) == ()
    (r,) = resolve(DEFERRAL_EPOCHS, deferred(), fresh(1), {})
    assert (r.verdict, r.weight_ppm, r.reasons) == (
        Verdict.REJECTED,
        0,
        (ReasonCode.DEFERRED_EXPIRED,),
    )
    # a claim of this epoch or a later one is not judged here
    assert resolve(0, deferred(), fresh(2), {}) == ()


def test_verify_epoch_resolves_with_the_reputations_it_just_updated() -> None:
    claim = make_bw("r1", "D", "NEW", window=UNSAMPLED)
    first = verify_epoch(make_inputs((claim,)))
    (v,) = first.verdicts
    assert (v.verdict, v.weight_ppm, v.held_ppm) == (Verdict.DEFERRED, 0, PPM)

    # next epoch: NEW had one pass; a probe sees it serve -> vetted now -> released
    probe = make_probe(make_obs("NEW", "10.0.0.9:6881"))
    before = (*[vetted(a) for a in ("U", "D")], fresh(1))
    later = replace(
        make_inputs((), probes=(probe,), reputations=before),
        epoch=1,
        deferred=(DeferredClaim("r1", 0, "NEW", SWARM, v.held_ppm),),
    )
    result = verify_epoch(later)
    assert [(r.receipt_id, r.verdict, r.weight_ppm) for r in result.resolutions] == [
        ("r1", Verdict.ACCEPTED, PPM)
    ]
    # the same epoch without that probe: still undecided, no resolution
    assert verify_epoch(replace(later, probes=())).resolutions == ()
