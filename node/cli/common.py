"""Shared pieces of the CLIs: options, error handling, output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from servicelayer.config import NodeSettings, load_settings
from servicelayer.errors import ServiceLayerError
from servicelayer.runtime.contracts import genesis_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # error lines never wrap

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", "-d", help="Node data directory [env ACENODE_DATA_DIR]"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
DatabaseUrl = Annotated[str | None, typer.Option(help="Overrides the config")]


@contextmanager
def journal_runtime(
    data_dir: Path | None, database_url: str | None
) -> Iterator[tuple[NodeSettings, Database, ContractRuntime]]:
    """The node's settings, its database and a contract runtime with its genesis
    parameters, for commands that read or rewrite the contract journal."""
    settings = load_settings(data_dir, database_url=database_url)
    database = Database(settings.resolved_database_url())
    try:
        yield settings, database, ContractRuntime(genesis_specs(settings.genesis))
    finally:
        database.dispose()


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
