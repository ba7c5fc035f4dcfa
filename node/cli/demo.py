from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from node.cli.common import cli_errors, console


def demo(
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write what happened as JSON to this file: each receipt sent and the "
            "node's answer, every judged receipt's verdict and whose it is, the epochs "
            "shown, the payouts.",
            dir_okay=False,
        ),
    ] = None,
    share_at: Annotated[
        int | None,
        typer.Option(
            "--share-at",
            min=0,
            max=59,
            help="Start sharing at this second of the minute (the demo's epoch), e.g. 50: "
            "the peers' sessions then cross an epoch boundary.",
        ),
    ] = None,
) -> None:
    """Start a node and a few peers on this machine; show what the node accepts."""
    from node.demo.runner import run_demo

    with cli_errors():
        code = run_demo(console, report=report, share_at=share_at)
    raise typer.Exit(code)
