"""``acenode bench ...``: benchmarks whose figures go into docs/performance.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from node.cli.bench_fraud import fraud_command
from node.cli.bench_settle import bench_settle
from node.cli.common import JsonFlag, console, print_json

bench_app = typer.Typer(help="Measure speed and memory on this machine.", no_args_is_help=True)


@bench_app.command("federation")
def bench_federation(
    payees: Annotated[int, typer.Option(min=1, max=10_000, help="Payouts in the epoch")] = 200,
    repeat: Annotated[int, typer.Option(min=1, max=20, help="Runs of each network")] = 3,
    close_interval: Annotated[
        float, typer.Option(min=0.05, help="Seconds between ledger closes")
    ] = 0.5,
    json_out: JsonFlag = False,
) -> None:
    """From an epoch's end to anchored and to settled: 3 validators (2 of 3) over 1."""
    from node.bench.federation import run

    with console.status(f"{repeat} epoch(s) on 1 validator and on 3, one-minute epochs ..."):
        figures = run(payees, close_interval, repeat)
    if json_out:
        print_json(figures)
        return
    table = Table(title=f"Federation overhead ({payees} payees, medians of {repeat})")
    table.add_column("from the epoch's end to")
    table.add_column("1 validator, s", justify="right")
    table.add_column("3 validators, s", justify="right")
    table.add_column("ratio", justify="right")
    for key, name, ratio in (
        ("anchored_s", "anchored everywhere", "federation_overhead"),
        ("settled_s", "settled everywhere", "federation_overhead_settled"),
    ):
        one, three = figures["one_validator"][key], figures["three_validators"][key]
        table.add_row(name, f"{one:.2f}", f"{three:.2f}", f"{figures[ratio]:.2f}")
    console.print(table)


@bench_app.command("ingest")
def bench_ingest(
    receipts: Annotated[
        int, typer.Option(min=1000, help="Receipts for the in-process run")
    ] = 100_000,
    stream: Annotated[
        int, typer.Option(min=1000, help="Receipts streamed through a node over HTTP")
    ] = 1_000_000,
    json_out: JsonFlag = False,
) -> None:
    """(a) raw ed25519 verify, (b) in-process ingest, (c) HTTP ingest; peak RSS."""
    from node.bench.ingest import run

    with console.status("measuring (a) verify, (b) in-process, (c) HTTP ..."):
        figures = run(receipts, stream)
    if json_out:
        print_json(figures)
        return
    table = Table(title="Ingest benchmark (SQLite, one node process)")
    for column in ("measure", "receipts/s", "ratio to (a)", "per CPU-second", "CPU ratio"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    rows = (
        ("(a) ed25519 verify", "verify_per_s", None, "cpu_verify_per_s", None),
        (
            "(b) in-process ingest",
            "inprocess_per_s",
            "inprocess_over_verify",
            "cpu_inprocess_per_s",
            "cpu_inprocess_over_verify",
        ),
        (
            "(c) HTTP ingest (node)",
            "http_per_s",
            "http_over_verify",
            "cpu_http_node_per_s",
            "cpu_http_over_verify",
        ),
    )
    for label, rate, ratio, cpu_rate, cpu_ratio in rows:
        table.add_row(
            label,
            f"{figures[rate]:,}",
            f"{figures[ratio]:.3f}" if ratio else "1.000",
            f"{figures[cpu_rate]:,}",
            f"{figures[cpu_ratio]:.3f}" if cpu_ratio else "1.000",
        )
    console.print(table)
    checkpoints = ", ".join(f"{n:,}: {mb} MB" for n, mb in figures["node_rss_mb_by_receipts"])
    console.print(
        f"peak RSS {figures['peak_rss_mb']} MB; node RSS by receipts streamed: {checkpoints}"
    )


@bench_app.command("writes")
def bench_writes(
    items: Annotated[
        int, typer.Option(min=1, help="Catalog items seeded into the large node")
    ] = 100_000,
    publishes: Annotated[int, typer.Option(min=100, help="Publishes timed on each node")] = 1000,
    warmup: Annotated[int, typer.Option(min=1, help="Publishes before timing starts")] = 20,
    json_out: JsonFlag = False,
) -> None:
    """Publish latency over HTTP with an empty catalog and with ``--items`` items."""
    from node.bench.writes import run

    with console.status(f"seeding {items:,} items, then timing publishes on two nodes ..."):
        figures = run(items, publishes, warmup)
    if json_out:
        print_json(figures)
        return
    table = Table(title="Publish latency (POST /v1/catalog, SQLite, one node each)")
    for column in ("catalog items", "p50 ms", "p99 ms", "mean ms", "node CPU ms"):
        table.add_column(column, justify="right")
    for row in (figures["empty"], figures["full"]):
        table.add_row(
            f"{row['items']:,}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['mean_ms']:.2f}",
            f"{row['node_cpu_ms_per_publish']:.2f}",
        )
    console.print(table)
    console.print(
        f"ratio p50 {figures['ratio_p50']}, p99 {figures['ratio_p99']}, "
        f"node CPU {figures['ratio_cpu']} (the goal: <= 1.2)"
    )


bench_app.command("fraud")(fraud_command)
bench_app.command("settle")(bench_settle)


@bench_app.command("swarm")
def bench_swarm(
    runs: Annotated[int, typer.Option(min=1, max=500, help="Scenarios (>= 30)")] = 60,
    concurrency: Annotated[
        int, typer.Option(min=1, max=20, help="Scenarios starting in each minute")
    ] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Seed of start seconds and choices")] = 1,
    cpu_load: Annotated[
        int, typer.Option(min=0, max=8, help="Busy processes beside the node and peers")
    ] = 1,
    defer_epochs: Annotated[
        int, typer.Option(min=0, max=10, help="Epochs to wait for deferred verdicts")
    ] = 3,
    start_second: Annotated[
        list[int] | None,
        typer.Option(min=0, max=59, help="Second of the minute of the first scenarios"),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Keep the node's data dir and every scored receipt (receipts.json) here",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Real libtorrent swarms on loopback against a real node: honest and cheating peers,
    scored from the node's stored verdicts (docs/verification.md)."""
    from node.bench.swarm import SwarmBenchConfig, run

    config = SwarmBenchConfig(
        runs=runs,
        concurrency=concurrency,
        seed=seed,
        cpu_load=cpu_load,
        defer_epochs=defer_epochs,
        start_seconds=tuple(start_second or ()),
        keep=keep,
    )
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    if json_out:
        print_json(run(config))
        return
    with console.status(f"{runs} scenarios, {concurrency} starting per minute ...") as status:
        figures = run(config, lambda message: status.update(message))
    _print_swarm(figures)


def _print_swarm(f: dict[str, object]) -> None:
    table = Table(title=f"Real swarms: {f['runs']} scenarios, {f['wall_seconds']} s wall time")
    for column in ("figure", "share", "95 % upper", "goal"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    rows = (
        ("honest receipts rejected", "honest_rejected_share", ""),
        ("honest bytes rejected", "honest_rejected_bytes_share", "<= 0.01"),
        ("fraud units paid", "fraud_paid_share", "<= 0.02"),
    )
    for label, key, goal in rows:
        table.add_row(label, f"{f[key]:.4f}", f"{f[key + '_upper']:.4f}", goal)
    table.add_row("deferred (unresolved)", f"{f['deferred_share']:.4f}", "", "")
    table.add_row("misattributed units paid", f"{f['misattributed_paid_share']:.4f}", "", "")
    console.print(table)
    reasons = Table(title="By reason (verdict:reason)")
    reasons.add_column("reason", no_wrap=True)
    for column in ("honest receipts", "honest bytes lost", "fraud receipts"):
        reasons.add_column(column, justify="right")
    by_reason = f["by_reason"]
    assert isinstance(by_reason, dict)
    for reason, row in by_reason.items():
        reasons.add_row(
            reason,
            str(row["honest_receipts"]),
            f"{row['honest_bytes_lost']:,}",
            str(row["fraud_receipts"]),
        )
    console.print(reasons)
