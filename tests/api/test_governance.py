"""Proposals, SEP-53 signed votes and delegations through the API of a real node.

The balance snapshot a proposal is weighed by comes from the node's balance index of the
governance token, not from the API. This node has issued no governance token, so its
watcher records no snapshot and the tests apply one by hand; tests/integration/watcher
shows the real flow (token balances on the ledger, the watcher records the snapshot).
"""

from __future__ import annotations

import base64

import pytest
from stellar_sdk import Keypair

from contracts.moderation import ReceiveBalanceSnapshot
from tests.api.helpers import Member, delegation_body, infohash, outside_input, vote_body
from tests.support import NodeProcess, wait_for

pytestmark = pytest.mark.integration


def snapshot(node: NodeProcess, proposal: dict, balances: dict[str, int]) -> None:
    entries = tuple(sorted(balances.items()))
    action = ReceiveBalanceSnapshot(proposal["id"], proposal["start_ledger"], entries)
    outside_input(node, "moderation", action)


def followed_ledger(member: Member) -> int:
    """The ledger the node's watcher followed last: governance's clock."""
    value: int = member.get("/v1/health").json()["ledger"]
    return value


def test_a_proposal_is_voted_with_signatures_anyone_can_check(node: NodeProcess) -> None:
    proposer, alice, bob = Member(node), Member(node), Member(node)
    delegated = bob.post("/v1/delegations", delegation_body(bob.keypair, alice.account, 1))
    assert delegated.status_code == 201, delegated.text
    assert bob.get(f"/v1/accounts/{bob.account}/voting-power").json()["delegate"] == alice.account
    # the delegation counts for proposals that start after its ledger
    wait_for(lambda: followed_ledger(proposer) > delegated.json()["ledger"], 30, "the next ledger")

    created = proposer.post(
        "/v1/proposals", {"kind": "delist", "target": infohash(), "description": "pirated"}
    )
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert (proposal["status"], proposal["snapshot_recorded"]) == ("active", False)
    pid = proposal["id"]
    early = alice.post(f"/v1/proposals/{pid}/votes", vote_body(alice.keypair, pid, "yes"))
    assert early.status_code == 409 and early.json()["error"] == "snapshot_pending"

    snapshot(node, proposal, {proposer.account: 100, alice.account: 50, bob.account: 30})
    power = alice.get(f"/v1/accounts/{alice.account}/voting-power").json()
    mine = next(p for p in power["proposals"] if p["proposal_id"] == pid)
    assert (mine["balance"], mine["weight"]) == (50, 80)

    forged = alice.post(f"/v1/proposals/{pid}/votes", vote_body(Keypair.random(), pid, "yes"))
    assert forged.status_code == 422 and forged.json()["error"] == "bad_vote_signature"
    swapped = vote_body(alice.keypair, pid, "no") | {"choice": "yes"}
    refused = alice.post(f"/v1/proposals/{pid}/votes", swapped)
    assert refused.status_code == 422 and refused.json()["error"] == "bad_vote_signature"

    cast = alice.post(
        f"/v1/proposals/{pid}/votes", vote_body(alice.keypair, pid, "yes", "it is pirated")
    )
    assert cast.status_code == 201, cast.text
    stale = alice.post(f"/v1/proposals/{pid}/votes", vote_body(alice.keypair, pid, "no"))
    assert stale.status_code == 409 and stale.json()["error"] == "stale_nonce"
    changed = alice.post(f"/v1/proposals/{pid}/votes", vote_body(alice.keypair, pid, "no", "", 1))
    assert changed.status_code == 201, changed.text

    detail = proposer.get(f"/v1/proposals/{pid}").json()
    [vote] = detail["votes"]
    assert (vote["voter"], vote["choice"], vote["nonce"]) == (alice.account, "no", 1)
    # anyone can check the stored vote against the voter's key, without trusting the node
    Keypair.from_public_key(vote["voter"]).verify_message(
        vote["message"].encode(), base64.b64decode(vote["signature"])
    )
    assert "choice: no" in vote["message"]
    assert pid in [p["id"] for p in proposer.get("/v1/proposals", status="active").json()]


def test_a_delegation_needs_its_signature_and_a_fresh_nonce(node: NodeProcess) -> None:
    carol, dave = Member(node), Member(node)
    wrong = carol.post("/v1/delegations", delegation_body(dave.keypair, dave.account, 1))
    assert wrong.status_code == 422 and wrong.json()["error"] == "bad_delegation_signature"
    ok = carol.post("/v1/delegations", delegation_body(carol.keypair, dave.account, 5))
    assert ok.status_code == 201, ok.text
    replayed = carol.post("/v1/delegations", delegation_body(carol.keypair, "", 5))
    assert replayed.status_code == 409 and replayed.json()["error"] == "stale_nonce"
    revoked = carol.post("/v1/delegations", delegation_body(carol.keypair, "", 6))
    assert revoked.status_code == 201, revoked.text
    assert carol.get(f"/v1/accounts/{carol.account}/voting-power").json()["delegate"] == ""


def test_unknown_proposals_and_bad_kinds_are_refused(node: NodeProcess) -> None:
    member = Member(node)
    assert member.get("/v1/proposals/999999").json()["error"] == "unknown_proposal"
    bad = member.post("/v1/proposals", {"kind": "appeal", "target": infohash()})
    assert bad.status_code == 422
    nobody = member.post("/v1/proposals/999999/votes", vote_body(member.keypair, 999999, "yes"))
    assert nobody.status_code == 409 and nobody.json()["error"] == "unknown_proposal"
