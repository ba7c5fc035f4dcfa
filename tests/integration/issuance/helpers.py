"""Helpers of the issuance tests: the CLI as JSON, what the ledger says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from stellar_sdk import Keypair, Server

from servicelayer.ledger.money import to_stroops as stroops

INFOHASH = "ab" * 20


def acenode(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def assets(node_dir: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``acenode assets ARGS --json`` that must succeed; its JSON answer."""
    done = acenode("assets", *args, "-d", str(node_dir), "--json", env=env)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def refused(node_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``acenode assets ARGS`` that must fail; its error line."""
    done = acenode("assets", *args, "-d", str(node_dir), env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    return done.stderr


def account(url: str, account_id: str) -> dict[str, Any]:
    with Server(url) as server:
        record: dict[str, Any] = server.accounts().account_id(account_id).call()
    return record


def holding(url: str, account_id: str, code: str, issuer: str) -> int:
    for line in account(url, account_id)["balances"]:
        if line.get("asset_code") == code and line.get("asset_issuer") == issuer:
            return stroops(line["balance"])
    raise AssertionError(f"{account_id} has no trustline for {code}")


def dao_public(node_dir: Path, role: str) -> str:
    return Keypair.from_secret((node_dir / "dao" / f"{role}.key").read_text().strip()).public_key


def node_key(node_dir: Path) -> Keypair:
    return Keypair.from_secret((node_dir / "node.key").read_text().strip())
