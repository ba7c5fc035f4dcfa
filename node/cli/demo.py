from __future__ import annotations

import typer

from node.cli.common import cli_errors, console


def demo() -> None:
    """Start a node and a few peers on this machine; show what the node accepts."""
    from node.demo.runner import run_demo

    with cli_errors():
        code = run_demo(console)
    raise typer.Exit(code)
