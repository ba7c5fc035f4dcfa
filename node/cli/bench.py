"""``acenode bench ...``: benchmarks whose figures go into docs/performance.md."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from node.cli.common import JsonFlag, console, print_json

bench_app = typer.Typer(help="Measure speed and memory on this machine.", no_args_is_help=True)


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
    table.add_column("measure")
    table.add_column("receipts/s", justify="right")
    table.add_column("ratio to (a)", justify="right")
    table.add_row("(a) ed25519 verify", f"{figures['verify_per_s']:,}", "1.000")
    table.add_row(
        "(b) in-process ingest",
        f"{figures['inprocess_per_s']:,}",
        f"{figures['inprocess_over_verify']:.3f}",
    )
    table.add_row(
        "(c) HTTP ingest", f"{figures['http_per_s']:,}", f"{figures['http_over_verify']:.3f}"
    )
    console.print(table)
    console.print(
        f"peak RSS {figures['peak_rss_mb']} MB; node RSS by receipts streamed: "
        + ", ".join(f"{n:,}: {mb} MB" for n, mb in figures["node_rss_mb_by_receipts"])
    )
