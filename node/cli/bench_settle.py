"""``acenode bench settle``: build-and-sign alone vs a full settlement on the embedded ledger."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from node.cli.common import JsonFlag, console, print_json


def bench_settle(
    payees: Annotated[int, typer.Option(min=100, help="Payouts in the plan")] = 100_000,
    channels: Annotated[int, typer.Option(min=1, max=64, help="Channel accounts")] = 32,
    validators: Annotated[int, typer.Option(min=1, max=10, help="Validators (N)")] = 3,
    threshold: Annotated[int, typer.Option(min=1, max=10, help="Signatures needed (M)")] = 2,
    close_interval: Annotated[
        float, typer.Option(min=0.01, help="Seconds between ledger closes")
    ] = 0.5,
    max_ops: Annotated[
        int, typer.Option(min=100, max=100_000, help="Operations per ledger")
    ] = 1_000,
    json_out: JsonFlag = False,
) -> None:
    """(a) build and sign transactions (M signatures each); (b) settle a whole plan."""
    from node.bench.settle import run

    if threshold > validators:
        raise typer.BadParameter("threshold must not exceed validators")
    with console.status(f"settling {payees:,} payees on a fresh embedded ledger ..."):
        figures = run(payees, channels, validators, threshold, close_interval, max_ops)
    if json_out:
        print_json(figures)
        return
    table = Table(title=f"Settlement benchmark ({figures['signatures']} signatures)")
    table.add_column("measure")
    table.add_column("payees/s", justify="right")
    table.add_column("per CPU-second", justify="right")
    table.add_row(
        "(a) build + sign",
        f"{figures['build_sign_per_s']:,}",
        f"{figures['cpu_build_sign_per_s']:,}",
    )
    table.add_row(
        "(b) full settlement", f"{figures['settle_per_s']:,}", f"{figures['cpu_settle_per_s']:,}"
    )
    console.print(table)
    console.print(
        f"ratio (b)/(a) {figures['ratio']:.3f} (CPU {figures['cpu_ratio']:.3f}); "
        f"{figures['settle_seconds']} s for "
        f"{payees:,} payees; CPU s: settlement {figures['settle_cpu_seconds']}, ledger "
        f"{figures['ledger_cpu_seconds']}; peak RSS {figures['peak_rss_mb']} MB "
        f"(ledger {figures['ledger_rss_mb']} MB); {figures['ledgers_used']} ledgers of "
        f"{figures['max_ops_per_ledger']:,} operations used, {figures['ledgers_min']} at least"
    )
