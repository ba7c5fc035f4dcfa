"""Self-dealing: shared endpoints and closed clusters in the serve graph."""

from __future__ import annotations

from verification_factories import SWARM, make_bw, make_inputs

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import Registration, ViewerPayment
from servicelayer.verification.rules.graph import strongly_connected

RING = ("A", "B", "C")


def ring_claims(amount: int = 1_000_000) -> tuple:  # type: ignore[type-arg]
    """A serves B, B serves C, C serves A: everyone is paid by the next one."""
    return tuple(
        make_bw(f"ring{i}", RING[(i + 1) % 3], RING[i], window=60 * i, delta=amount)
        for i in range(3)
    )


def test_strongly_connected_finds_the_ring_and_leaves_a_chain_apart() -> None:
    graph = {"A": ["B"], "B": ["C"], "C": ["A"], "X": ["A"], "Y": []}
    assert strongly_connected(graph) == [["A", "B", "C"], ["X"], ["Y"]]


def test_ring_serving_only_itself_with_no_paying_viewer_is_rejected() -> None:
    result = verify_epoch(make_inputs(ring_claims()))
    for v in result.verdicts:
        assert (v.verdict, v.reasons) == (Verdict.REJECTED, (ReasonCode.CLOSED_CLUSTER,))
        assert v.evidence == ("cluster:A",)


def test_ring_pays_nothing_back_even_when_its_members_paid() -> None:
    paid = tuple(ViewerPayment(a, SWARM, 1_000) for a in RING)
    result = verify_epoch(make_inputs(ring_claims(), payments=paid))
    assert {v.verdict for v in result.verdicts} == {Verdict.REJECTED}


def test_small_swarm_fed_by_an_outside_seeder_is_not_a_closed_cluster() -> None:
    fed = tuple(make_bw(f"in{i}", RING[i], "ORIGIN", window=300, delta=900_000) for i in range(3))
    result = verify_epoch(make_inputs(ring_claims() + fed))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_peers_trading_with_the_rest_of_the_swarm_are_not_a_closed_cluster() -> None:
    outside = tuple(
        make_bw(f"out{i}", f"V{i}", RING[i], window=300, delta=900_000) for i in range(3)
    )
    result = verify_epoch(make_inputs(ring_claims() + outside))
    assert {v.verdict for v in result.verdicts} == {Verdict.ACCEPTED}


def test_service_between_accounts_on_one_endpoint_is_rejected() -> None:
    regs = (Registration("A", ("1.2.3.4:6881",)), Registration("B", ("1.2.3.4:6881", "x:1")))
    claims = (make_bw("r1", "B", "A"), make_bw("r2", "X", "A"))
    result = verify_epoch(make_inputs(claims, registrations=regs)).by_id()
    assert result["r1"].verdict == Verdict.REJECTED
    assert result["r1"].reasons == (ReasonCode.SHARED_ENDPOINT,)
    assert "endpoint:1.2.3.4:6881" in result["r1"].evidence
    assert result["r2"].verdict == Verdict.ACCEPTED
