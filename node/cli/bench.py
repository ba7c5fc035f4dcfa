"""``acenode bench ...``: benchmarks whose figures go into docs/performance.md."""

from __future__ import annotations

import typer

from node.cli.bench_fraud import fraud_command

bench_app = typer.Typer(help="Measure speed and memory on this machine.", no_args_is_help=True)
bench_app.command("fraud")(fraud_command)
