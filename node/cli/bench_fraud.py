"""``acenode bench fraud``: the adversarial verification benchmark (not a timed test)."""

from __future__ import annotations

import json
from dataclasses import replace

import typer
from rich.console import Console
from rich.table import Table

from servicelayer.verification.bench import FraudBenchReport, run_fraud_bench
from servicelayer.verification.simulation import SimConfig


def _share(ppm: int) -> str:
    return f"{ppm / 10_000:.3f} %"


def _print_table(report: FraudBenchReport, console: Console) -> None:
    table = Table(
        title=f"fraud bench: {report.peers} peers, {report.epochs} epochs, "
        f"seed {report.seed}, {report.receipts} receipts"
    )
    table.add_column("attack", no_wrap=True)
    for column in ("kind", "receipts", "fake passed", "share of weight", "share paid"):
        table.add_column(column, justify="right")
    for f in report.per_attack:
        table.add_row(
            f.attack,
            f.kind,
            str(f.receipts),
            _share(f.passed_ppm),
            _share(f.weight_share_ppm),
            _share(f.paid_share_ppm),
        )
    console.print(table)
    rows = [
        ("fake share of claimed bytes (unverified)", _share(report.fraud_claimed_ppm)),
        ("fraud paid share (goal <= 2 %)", _share(report.fraud_paid_ppm)),
        ("fraud weight share, before the payment cap", _share(report.fraud_weight_ppm)),
        ("honest weight rejected (goal <= 1 %)", _share(report.honest_rejected_ppm)),
        ("fake bytes that got weight", _share(report.fraud_passed_ppm)),
        (
            "honest receipts rejected",
            f"{report.honest_rejected_receipts:,} of {report.honest_receipts:,}",
        ),
        ("receipts deferred", f"{report.deferred_receipts:,}"),
        ("viewing: fraud weight share", _share(report.viewing_fraud_weight_ppm)),
        ("viewing: honest seconds rejected", _share(report.viewing_honest_rejected_ppm)),
        (
            "probe bytes per verified byte",
            f"{report.probe_bytes / max(1, report.verified_bytes):.5f}",
        ),
        ("receipts verified per second per core", f"{report.verify_per_s:,}"),
    ]
    for label, value in rows:
        console.print(f"{label:<46} {value}")


def fraud_command(
    json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    peers: int = typer.Option(10_000, "--peers", min=50, max=1_000_000, help="Population."),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of population, traffic, sampling."),
    epochs: int = typer.Option(2, "--epochs", min=1, max=50, help="Epochs to simulate."),
    sampling_ppm: int = typer.Option(
        100_000, "--sampling-ppm", min=1, max=1_000_000, help="Share of swarms probed (ppm)."
    ),
    turncoat_ppm: int = typer.Option(
        250_000,
        "--turncoat-ppm",
        min=0,
        max=1_000_000,
        help="Share of cheating groups with a clean probe history (ppm).",
    ),
    real: bool = typer.Option(
        True, "--real/--no-real", help="Also a small real run with libtorrent on loopback."
    ),
    ideal: bool = typer.Option(
        False,
        "--ideal",
        help="The idealised model: window-aligned probes inside the epoch, peers present "
        "whole windows, no carried-over sessions, every peer serves the probe, every "
        "origin with a history.",
    ),
) -> None:
    """Simulate a population with 30 % adversaries and score the verification rules."""
    config = SimConfig(
        peers=peers,
        seed=seed,
        epochs=epochs,
        sampling_ppm=sampling_ppm,
        turncoat_ppm=turncoat_ppm,
    )
    if ideal:
        config = replace(
            config,
            probe_jitter=False,
            session_jitter=False,
            carry_over_ppm=0,
            zero_serve_ppm=0,
            fresh_origin_ppm=0,
        )
    report = run_fraud_bench(config)
    figures = report.as_json()
    figures["model"] = "ideal" if ideal else "real-swarm effects"
    if real:
        figures["real_run"] = real_run_figures()
    if json_output:
        typer.echo(json.dumps(figures, indent=2, sort_keys=True))
        return
    _print_table(report, Console())
    if real:
        _print_real(figures["real_run"], Console())


def real_run_figures() -> dict[str, object]:
    """The small real run (testnet.fraud_run): verdicts and shares."""
    from testnet.fraud_run import run_real

    run = run_real()
    bw = run.tally.bandwidth
    fake_claimed = sum(bw.fraud_claimed.values())
    return {
        "verdicts": {
            label: {
                "verdict": v.verdict.value,
                "weight_ppm": v.weight_ppm,
                "reasons": [r.value for r in v.reasons],
            }
            for label, v in run.verdicts.items()
        },
        "fraud_weight_share": round(sum(bw.fraud_weighted.values()) / max(1, fake_claimed), 6),
        "honest_rejected_share": round(
            (bw.honest_claimed - bw.honest_weighted) / max(1, bw.honest_claimed), 6
        ),
        "probe_bytes_per_verified_byte": round(run.probe_bytes / max(1, bw.total_weighted), 6),
    }


def _print_real(real: object, console: Console) -> None:
    assert isinstance(real, dict)
    table = Table(title="Real run: libtorrent on loopback, the node's own probe")
    for column in ("receipt", "verdict", "weight", "reasons"):
        table.add_column(column)
    for label, v in real["verdicts"].items():
        table.add_row(
            label, v["verdict"], f"{v['weight_ppm'] / 10_000:.1f} %", ", ".join(v["reasons"])
        )
    console.print(table)
    console.print(
        f"fake bytes that still counted: {real['fraud_weight_share']:.1%}; "
        f"honest bytes rejected: {real['honest_rejected_share']:.1%}; "
        f"probe bytes per verified byte: {real['probe_bytes_per_verified_byte']}"
    )
