"""``acenode init | run | db upgrade | db rehash | keys show``."""

from __future__ import annotations

from typing import Annotated

import typer

from node.cli.common import (
    DatabaseUrl,
    DataDir,
    JsonFlag,
    cli_errors,
    console,
    journal_runtime,
    print_json,
)
from node.config_template import render_config
from servicelayer.config import load_settings
from servicelayer.errors import ConfigError
from servicelayer.keys import create_key_file, load_key_file
from servicelayer.storage.db import Database
from servicelayer.storage.permissions import private_dir, write_private

db_app = typer.Typer(help="The node's database.", no_args_is_help=True)
keys_app = typer.Typer(help="The node's Stellar key.", no_args_is_help=True)


def init(data_dir: DataDir = None) -> None:
    """Write a commented config and a new node key (both 0600) into the data directory (0700)."""
    with cli_errors():
        settings = load_settings(data_dir)
        private_dir(settings.data_dir)
        if settings.config_file.exists() or settings.key_file.exists():
            raise ConfigError(f"{settings.data_dir} is already initialised")
        write_private(settings.config_file, render_config())
        keypair = create_key_file(settings.key_file)
    console.print(f"config   {settings.config_file}")
    console.print(f"key      {settings.key_file} (mode 0600, secret not shown)")
    console.print(f"account  [bold]{keypair.public_key}[/bold]")
    console.print(f"next     acenode run --data-dir {settings.data_dir}")


def run(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option("--port", "-p", help="Port to listen on")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="sqlite:///... or postgresql://... (default: SQLite)")
    ] = None,
) -> None:
    """Run the node daemon (the API on uvicorn) until SIGTERM or Ctrl-C."""
    from node.server import serve

    with cli_errors():
        settings = load_settings(data_dir, host=host, port=port, database_url=database_url)
        serve(settings)


@db_app.command("upgrade")
def db_upgrade(
    data_dir: DataDir = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides the config")] = None,
) -> None:
    """Apply the Alembic migrations (the node also applies them when it starts)."""
    with cli_errors():
        settings = load_settings(data_dir, database_url=database_url)
        private_dir(settings.data_dir)
        database = Database(settings.resolved_database_url())
        try:
            database.upgrade()
            revision = database.current_revision()
        finally:
            database.dispose()
    console.print(f"database at revision [bold]{revision}[/bold]")


@db_app.command("rehash")
def db_rehash(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Convert the journal's state hashes to the current version (once, node stopped)."""
    from servicelayer.runtime.rehash import rehash

    with (
        cli_errors(),
        journal_runtime(data_dir, database_url) as (_, database, runtime),
        database.session(write=True) as session,
    ):
        done = rehash(runtime, session)
    rows = [{"contract": r.contract, "entries": r.entries, "snapshots": r.snapshots} for r in done]
    if json_out:
        print_json(rows)
        return
    for row in rows:
        console.print(
            f"{row['contract']:<14} {row['entries']} entries, {row['snapshots']} snapshots"
        )


@keys_app.command("show")
def keys_show(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Show the node's public account (never the secret)."""
    with cli_errors():
        settings = load_settings(data_dir)
        keypair = load_key_file(settings.key_file)
    if json_out:
        print_json({"account": keypair.public_key, "key_file": str(settings.key_file)})
    else:
        console.print(keypair.public_key)
