"""The fraud benchmark on a tiny population: figures are computed and make sense."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from node.cli.acenode import app
from servicelayer.verification.bench import run_fraud_bench
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


def test_bench_on_500_peers_pays_fraud_far_less_than_it_claims() -> None:
    report = run_fraud_bench(SimConfig(peers=500, seed=2, epochs=2))
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
