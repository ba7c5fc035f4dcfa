"""The fraud benchmark on a tiny population: figures are computed and make sense."""

from __future__ import annotations

import json
from dataclasses import replace

from typer.testing import CliRunner

from node.cli.acenode import app
from servicelayer.verification.bench import run_fraud_bench, wilson_upper
from servicelayer.verification.simulation import (
    ATTACK_MIX_PPM,
    SimConfig,
    build_population,
    simulate_epoch,
)


def test_simulation_is_deterministic_from_its_seed() -> None:
    config = SimConfig(peers=300, seed=7)
    first = simulate_epoch(build_population(config), 0)
    again = simulate_epoch(build_population(config), 0)
    other = simulate_epoch(build_population(SimConfig(peers=300, seed=8)), 0)
    assert first.inputs == again.inputs
    assert first.truth == again.truth
    assert first.inputs != other.inputs


def test_population_is_thirty_percent_adversarial() -> None:
    pop = build_population(SimConfig(peers=2_000, seed=3))
    adversaries = sum(1 for p in pop.peers.values() if p.attack != "honest")
    assert 600 <= adversaries <= 650
    assert {g.attack for g in pop.groups} == set(ATTACK_MIX_PPM)


IDEAL = {
    "probe_jitter": False,
    "session_jitter": False,
    "carry_over_ppm": 0,
    "zero_serve_ppm": 0,
    "fresh_origin_ppm": 0,
}


def test_bench_on_500_peers_pays_fraud_far_less_than_it_claims() -> None:
    # the idealised model (the real-swarm effects are measured, not bounded, below)
    report = run_fraud_bench(replace(SimConfig(peers=500, seed=2, epochs=2), **IDEAL))
    assert report.receipts > 10_000
    assert report.verify_per_s > 0
    assert report.fraud_claimed_ppm > 200_000  # unverified, fakes would take a big share
    assert report.fraud_paid_ppm < report.fraud_claimed_ppm // 5
    assert report.honest_rejected_ppm < 50_000
    assert 0 < report.probe_bytes < report.verified_bytes
    assert {f.attack for f in report.per_attack} >= {"sybil_farm", "inflated_bytes"}


def test_bench_command_prints_the_figures_as_json() -> None:
    result = CliRunner().invoke(
        app, ["bench", "fraud", "--json", "--peers", "200", "--epochs", "1", "--no-real"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in ("fraud_paid_share", "honest_rejected_share", "verify_per_s", "per_attack"):
        assert key in figures
    assert 0 <= figures["fraud_paid_share"] <= 1


def test_bench_command_refuses_a_bad_argument() -> None:
    result = CliRunner().invoke(app, ["bench", "fraud", "--peers", "-5"])
    assert result.exit_code != 0


def test_wilson_upper_bound_matches_the_formula() -> None:
    assert wilson_upper(0, 0) == 1.0
    assert abs(wilson_upper(1, 10) - 0.4042) < 1e-3  # the textbook value
    assert abs(wilson_upper(0, 188) - 0.0200) < 1e-3  # 188 clean trials bound 2 %
    assert wilson_upper(0.1, 10, share=True) == wilson_upper(1, 10)


def test_real_swarm_effects_cost_honest_peers_what_the_ideal_model_hides() -> None:
    config = SimConfig(peers=500, seed=2, epochs=2)
    real, model = run_fraud_bench(config), run_fraud_bench(replace(config, **IDEAL))
    figures, ideal = real.as_json(), model.as_json()

    def unpaid(f: dict[str, object]) -> float:  # rejected now, or held for a later epoch
        return float(f["honest_rejected_share"]) + float(f["deferred_share"])  # type: ignore[arg-type]

    assert unpaid(figures) > unpaid(ideal)
    for key in ("honest_rejected_bytes_share_upper", "fraud_paid_share_upper", "deferred_share"):
        assert 0 <= figures[key] <= 1  # type: ignore[operator]
