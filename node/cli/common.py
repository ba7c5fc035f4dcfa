"""Shared pieces of the CLIs: options, error handling, output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from servicelayer.errors import ServiceLayerError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # error lines never wrap

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", "-d", help="Node data directory [env ACENODE_DATA_DIR]"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn service-layer errors into one clear line and exit status 2."""
    try:
        yield
    except ServiceLayerError as exc:
        err_console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from None


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


def run(fn: Callable[[], None]) -> None:
    with cli_errors():
        fn()
