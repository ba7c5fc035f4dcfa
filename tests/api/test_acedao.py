"""The member's ``acedao`` commands as subprocesses against a real node."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Keypair

from contracts.moderation import ReceiveBalanceSnapshot
from tests.api.helpers import infohash, journal_count, outside_input
from tests.support import NodeProcess

# the commands do not depend on the database backend: one (SQLite) is enough here
pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("api_node", ["sqlite"], indirect=True),
]


def acedao(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node.cli.acedao_main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        env={**os.environ, "COLUMNS": "200"},
    )


def ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def new_member(tmp_path: Path, name: str) -> tuple[Path, str]:
    key = tmp_path / f"{name}.key"
    account: str = ok(acedao("keys", "new", "--key-file", str(key), "--json"))["account"]
    return key, account


@pytest.fixture(scope="module")
def member_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key, _ = new_member(tmp_path_factory.mktemp("member"), "member")
    return key


def test_members_propose_vote_and_list_from_the_command_line(
    api_node: NodeProcess, tmp_path: Path
) -> None:
    url = api_node.url
    proposer_key, proposer = new_member(tmp_path, "proposer")
    voter_key, voter = new_member(tmp_path, "voter")
    target = infohash()
    args = ["propose", "delist", "--target", target, "--description", "spam"]
    opened = ok(acedao(*args, "--node", url, "--key-file", str(proposer_key), "--json"))
    proposal, key = opened["result"], opened["idempotency_key"]
    assert (proposal["kind"], proposal["target"], proposal["proposer"]) == (
        "delist",
        target,
        proposer,
    )
    # a retry with the printed key applies nothing new and answers the same
    before = journal_count(api_node, "moderation")
    again = ok(
        acedao(
            *args,
            "--node",
            url,
            "--key-file",
            str(proposer_key),
            "--json",
            "--idempotency-key",
            key,
        )
    )
    assert again["result"] == proposal
    assert journal_count(api_node, "moderation") == before

    balances = tuple(sorted({proposer: 10, voter: 5}.items()))
    outside_input(
        api_node,
        "moderation",
        ReceiveBalanceSnapshot(proposal["id"], proposal["start_ledger"], balances),
    )
    power = ok(acedao("balance", "--node", url, "--key-file", str(voter_key), "--json"))
    assert {"proposal_id": proposal["id"], "weight": 5}.items() <= next(
        p for p in power["proposals"] if p["proposal_id"] == proposal["id"]
    ).items()

    pid = str(proposal["id"])
    cast = acedao(
        "vote",
        pid,
        "yes",
        "--reason",
        "spam indeed",
        "--node",
        url,
        "--key-file",
        str(voter_key),
        "--json",
    )
    assert ok(cast)["result"]["choice"] == "yes"
    changed = ok(acedao("vote", pid, "no", "--node", url, "--key-file", str(voter_key), "--json"))
    assert changed["result"]["nonce"] == 1

    listed = ok(acedao("proposals", "list", "--node", url, "--json"))
    assert proposal["id"] in [p["id"] for p in listed]
    shown = ok(acedao("proposals", "show", pid, "--node", url, "--json"))
    [vote] = shown["votes"]
    assert vote["verified"] is True  # checked by the CLI itself, not taken from the node
    Keypair.from_public_key(voter).verify_message(
        vote["message"].encode(), base64.b64decode(vote["signature"])
    )
    table = acedao("proposals", "list", "--node", url)
    assert table.returncode == 0 and target[:10] in table.stdout


def test_a_hidden_prompt_key_signs_without_being_echoed(
    api_node: NodeProcess, tmp_path: Path
) -> None:
    keypair = Keypair.random()
    absent = tmp_path / "none.key"
    result = acedao(
        "delegate",
        Keypair.random().public_key,
        "--node",
        api_node.url,
        "--key-file",
        str(absent),
        "--prompt-key",
        "--json",
        stdin=keypair.secret + "\n",
    )
    assert ok(result)["result"]["delegator"] == keypair.public_key
    assert keypair.secret not in result.stdout + result.stderr
    without = acedao("balance", "--node", api_node.url, "--key-file", str(absent))
    assert without.returncode == 2 and "no key file" in without.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["vote", "1", "maybe"],
        ["vote", "0", "yes"],
        ["propose", "nuke"],
        ["delegate"],
        ["delegate", "GNOTANACCOUNT"],
        ["proposals", "show", "999999"],
        ["subscribe", "no-such-plan"],
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    api_node: NodeProcess, member_key: Path, args: list[str]
) -> None:
    key = member_key
    result = acedao(*args, "--node", api_node.url, "--key-file", str(key))
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or "Usage" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_plans_and_a_subscription_without_credit(api_node: NodeProcess, member_key: Path) -> None:
    key = member_key
    listed = ok(acedao("plans", "--node", api_node.url, "--json"))
    assert set(listed) == {"plans", "bundles"}
    refused = acedao("subscribe", "nothing-here", "--node", api_node.url, "--key-file", str(key))
    assert refused.returncode == 2 and "unknown_offering" in refused.stderr
