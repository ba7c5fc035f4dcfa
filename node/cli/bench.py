"""``acenode bench ...``: benchmarks whose figures go into docs/performance.md."""

from __future__ import annotations

import typer

bench_app = typer.Typer(help="Measure speed and memory on this machine.", no_args_is_help=True)
