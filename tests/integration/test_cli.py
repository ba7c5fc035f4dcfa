"""The operator's commands as a newcomer would type them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from servicelayer.storage.db import alembic_config
from tests.conftest import BACKENDS

pytestmark = pytest.mark.integration


def acenode(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_init_writes_config_and_a_private_key_without_printing_it(tmp_path: Path) -> None:
    result = acenode("init", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    secret = (tmp_path / "node.key").read_text().strip()
    assert secret.startswith("S")
    assert secret not in result.stdout + result.stderr
    assert (tmp_path / "node.key").stat().st_mode & 0o777 == 0o600
    assert "epoch_seconds = 3600" in (tmp_path / "acenode.toml").read_text()
    shown = acenode("keys", "show", "--data-dir", str(tmp_path), "--json")
    assert json.loads(shown.stdout)["account"] in result.stdout
    again = acenode("init", "--data-dir", str(tmp_path))
    assert again.returncode == 2 and "already initialised" in again.stderr
    assert (tmp_path / "node.key").read_text().strip() == secret


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_db_upgrade_reaches_the_head_revision(tmp_path: Path, database_url: str) -> None:
    result = acenode("db", "upgrade", "--data-dir", str(tmp_path), "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert f"revision {head}" in result.stdout
    again = acenode("db", "upgrade", "--data-dir", str(tmp_path), "--database-url", database_url)
    assert again.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["run", "--database-url", "mysql://x"],
            "sqlite:/// or postgresql://",
            id="unsupported-database",
        ),
        pytest.param(["run", "--database-url", "::"], "not a valid", id="bad-url"),
        pytest.param(
            ["db", "upgrade", "--database-url", "postgresql://nobody@127.0.0.1:1/x"],
            "database",
            id="unreachable-database",
        ),
    ],
)
def test_bad_operator_input_is_one_clear_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = acenode(*args, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_file_stops_the_node_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "acenode.toml").write_text("epoch_seconds = 61\n")
    result = acenode("run", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "epoch_seconds" in result.stderr and "Traceback" not in result.stderr


def test_a_world_readable_key_is_refused_at_start(tmp_path: Path) -> None:
    assert acenode("init", "--data-dir", str(tmp_path)).returncode == 0
    (tmp_path / "node.key").chmod(0o644)
    result = acenode("run", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "chmod 600" in result.stderr


@pytest.mark.slow
def test_the_demo_runs_the_whole_network_on_one_node_then_on_three_validators(
    tmp_path: Path,
) -> None:
    """The whole demo, sharing from second 50 of a minute, and what it shows is the truth,
    asserted on its --report (data):

    - every receipt an honest peer (uma seeds; vic, val, pam watch) sent was taken at
      ingest, and every epoch its windows fall in was shown with a verdict for each
      stored receipt;
    - every stored receipt an honest peer signed counts in full (weight 1,000,000):
      verified in its epoch, or deferred and released in full by a later epoch. The demo
      follows the epochs until each deferred verdict is resolved or its bound has passed,
      so "deferred" is never final here: one still unresolved fails;
    - every receipt the cheater sent is refused: at ingest, a replay (a duplicate:
      nothing stored), or stored and judged with a final weight of 0; each trick is
      caught, at ingest or when its epoch is judged;
    - uma is paid on the ledger for the bytes she served;
    - then, on three validators with one killed mid-epoch, the epoch of a pay-per-view
      purchase settles: its provider is paid in a transaction signed by 2 validators, and
      all three (the killed one once back) have the same root and anchor.
    """
    report = tmp_path / "demo.json"
    # Sharing late in a minute: the sessions cross an epoch boundary, and the first epoch
    # holds only a few seconds of them (the hard case, on every run).
    result = acenode(
        "demo", "--report", str(report), "--share-at", "50", env={"COLUMNS": "200"}, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "vic subscribes to all-access: active" in out
    assert "the junk is now delisted" in out
    payouts = [line for line in out.splitlines() if line.startswith("│ epoch-")]
    kinds = {line.split("│")[2].strip() for line in payouts}
    assert {"revenue", "reward"} <= kinds and all("│ paid" in line for line in payouts)
    assert "bundle split" in out  # vic's bundle period ends and its price is split
    lines = out.rstrip().splitlines()
    assert "verified" in lines  # acedao audit checked a payout against the ledger
    assert "node stopped with SIGTERM, exit status 0" in lines
    assert lines[-1] == "the three validators stopped"
    found = json.loads(report.read_text())
    problems = demo_untruths(found)
    assert not problems, "\n".join(problems)
    federation = found["federation"]
    assert "v3 killed (SIGKILL)" in lines
    assert len(set(federation["roots"])) == len(set(federation["anchors"])) == 1
    assert len(federation["roots"]) == 3
    assert federation["provider_paid"] > 0 and federation["signatures"] == [2]


TRICKS = {
    "bad_signature",
    "stale_sequence",
    "counter_regressed",
    "implausible_rate",
    "wrong_network",
    "window_in_future",
    "self_attested",
}


def demo_untruths(found: dict[str, Any]) -> list[str]:
    """Where the demo's report breaks the rules above, each with the second of the minute
    sharing began at (the issue's timing problem)."""
    when = f"sharing began at second {int(found['sharing_started_at']) % 60} of the minute"
    sent, judged = found["sent"], found["receipts"]
    problems = []
    honest = sorted(n for n, a in found["actors"].items() if a["role"] == "honest")
    assert honest == ["pam", "uma", "val", "vic"]
    refused = [(n, a) for n in honest for a in sent.get(n, []) if a["status"] == "rejected"]
    if refused:
        problems.append(f"honest receipts refused at ingest: {refused}")
    shown = {e["number"]: e for e in found["epochs"]}
    if any(e["verdicts"] < e["receipts"] for e in shown.values()):  # refused ones may have one
        problems.append(f"stored receipts without a verdict: {found['epochs']}")
    windows = {a["window_start"] // found["epoch_seconds"] for n in honest for a in sent.get(n, [])}
    if not windows <= set(shown):
        problems.append(f"epochs with honest receipts not shown: {windows - set(shown)}")

    ours = [r for r in judged if r["signer"] in honest]
    signed = {(r["signer"], r["kind"]) for r in ours}
    if signed != {
        (who, kind) for who in ("vic", "val", "pam") for kind in ("bandwidth", "viewing")
    }:
        problems.append(f"honest receipts judged: {sorted(signed)}")
    unpaid = [_said(r) for r in ours if r["final"] is None or r["final"]["weight_ppm"] != 1_000_000]
    if unpaid:
        problems.append(f"{len(unpaid)} of {len(ours)} honest receipts not paid in full: {unpaid}")
    if not found["paid"].get("uma", {}).get("native"):
        problems.append("uma was not paid for the bytes she served")

    theirs = [r for r in judged if r["signer"] == "cheater"]
    caught = {a["reason"] for a in sent["cheater"] if a["status"] == "rejected"}
    caught |= {reason for r in theirs for reason in (r["final"] or r["verdict"])["reasons"]}
    if missing := TRICKS - caught:
        problems.append(f"cheater's tricks not caught: {sorted(missing)}")
    if not theirs:
        problems.append("none of the cheater's receipts reached a verdict")
    paid = [_said(r) for r in theirs if (r["final"] or {}).get("weight_ppm") != 0]
    if paid:
        problems.append(f"cheater receipts not refused: {paid}")
    return [f"{p} ({when})" for p in problems]


def _said(r: dict[str, Any]) -> str:
    def one(o: dict[str, Any]) -> str:
        return f"{o['verdict']} {'+'.join(o['reasons'])} {o['weight_ppm']} ppm in {o['epoch']}"

    said = f"{r['signer']} {r['kind']}: {one(r['verdict'])}"
    if r["final"] != r["verdict"]:
        said += " -> " + ("unresolved" if r["final"] is None else one(r["final"]))
    return said


def acedao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node.cli.acedao_main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_a_member_creates_a_key_and_reads_their_usage(tmp_path: Path) -> None:
    from tests.support import NodeProcess, make_signer, mid_previous_epoch

    key = tmp_path / "member.key"
    created = acedao("keys", "new", "--key-file", str(key), "--json")
    assert created.returncode == 0, created.stderr
    account = json.loads(created.stdout)["account"]
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().strip() not in created.stdout

    node = NodeProcess(tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    node.start()
    try:
        downloader, t = make_signer(), mid_previous_epoch()
        session = downloader.bandwidth_session(account, bytes(20), t - 60)
        assert node.submit([downloader.wire(session.update(7_000, t))])[0]["status"] == "accepted"
        shown = acedao(
            "usage", "--node", node.url, "--key-file", str(key), "--json", "--epoch", str(t // 3600)
        )
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["uploaded_bytes"] == 7_000
        bad = acedao("usage", "GNOTANACCOUNT", "--node", node.url)
        assert bad.returncode == 2 and "not a Stellar account" in bad.stderr
    finally:
        assert node.stop() == 0
    gone = acedao("usage", "--node", node.url, "--key-file", str(key))
    assert gone.returncode == 2 and "cannot reach the node" in gone.stderr
