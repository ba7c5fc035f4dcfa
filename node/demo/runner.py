"""The demo: one node on the embedded default and a few peer processes submitting to it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.keys import create_key_file
from testnet.processes import NodeProcess

ROLES = ("viewer", "cdn-edge", "cheater")
UPLOADERS = ("uploader-1", "uploader-2")
STYLE = {"accepted": "green", "duplicate": "yellow", "rejected": "red"}


def run_demo(console: Console, workdir: Path | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="acenode-demo-") as tmp:
        root = workdir or Path(tmp)
        node = NodeProcess(root / "node")
        console.rule("[bold]Ace service-layer node: demo")
        console.print(f"starting a node (SQLite in {node.data_dir}) on {node.url}")
        node.start()
        try:
            accounts = _make_keys(root / "keys")
            lines = _run_peers(node.url, root / "keys", accounts)
            console.print(_results_table(lines))
            console.print(_usage_table(node, accounts))
        finally:
            code = node.stop()
        console.print(f"node stopped with SIGTERM, exit status {code}")
        return 0 if code == 0 else 1


def _make_keys(directory: Path) -> dict[str, str]:
    return {
        name: create_key_file(directory / f"{name}.key").public_key for name in (*ROLES, *UPLOADERS)
    }


def _run_peers(url: str, keys: Path, accounts: dict[str, str]) -> list[dict[str, Any]]:
    peers = [f"--peer={name}={account}" for name, account in accounts.items()]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "node.demo.peer",
                role,
                "--node",
                url,
                "--key",
                str(keys / f"{role}.key"),
                "--passphrase",
                DEFAULT_PASSPHRASE,
                *peers,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for role in ROLES
    ]
    lines: list[dict[str, Any]] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"peer {proc.args[3]} failed with exit status {proc.returncode}")
        lines += [json.loads(line) for line in out.splitlines() if line.strip()]
    return lines


def _results_table(lines: list[dict[str, Any]]) -> Table:
    table = Table(title="What the node accepted and rejected")
    for column in ("peer", "receipt", "status", "reason"):
        table.add_column(column)
    for line in lines:
        status = line["status"]
        table.add_row(
            line["peer"], line["what"], f"[{STYLE[status]}]{status}[/]", line.get("reason") or ""
        )
    return table


def _usage_table(node: NodeProcess, accounts: dict[str, str]) -> Table:
    """Usage over the current and the previous epoch (the peers' windows may span both)."""
    table = Table(title="Usage as the node counts it (before swarm verification)")
    columns = {
        "uploaded_bytes": "uploaded MB",
        "downloaded_bytes": "downloaded MB",
        "viewing_seconds": "watched s",
        "cdn_served_bytes": "CDN served MB",
        "cdn_received_bytes": "CDN received MB",
    }
    table.add_column("account")
    for title in columns.values():
        table.add_column(title, justify="right")
    with httpx.Client(base_url=node.url) as client:
        epoch = client.get("/v1/health").json()["epoch"]
        for name, account in accounts.items():
            totals = dict.fromkeys(columns, 0)
            for number in (epoch - 1, epoch):
                usage = client.get(f"/v1/accounts/{account}/usage", params={"epoch": number})
                for column in columns:
                    totals[column] += usage.json()[column]
            cells = (_human(column, value) for column, value in totals.items())
            table.add_row(f"{name} {account[:6]}…", *cells)
    return table


def _human(column: str, value: int) -> str:
    return f"{value:,}" if column == "viewing_seconds" else f"{value // 1_000_000:,}"
