"""The DAO's decisions carried out by the node's governance job.

Votes last days, so the node's clock is moved by the test; the balance snapshots and the
appeal bonds come from the balance index and the ledger watcher, and are applied to the
node the way those components will (through the node's own runtime).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from stellar_sdk import Asset as SdkAsset
from stellar_sdk import ChangeTrust, Server

from contracts.access import ReceiveAccessPayment
from contracts.core import NATIVE, Action, EventRejected
from contracts.moderation import ActionAppeal, EventProposalCreated, ReceiveBalanceSnapshot
from contracts.rewards import RewardsState
from node.jobs.governance import governance_executor
from node.jobs.scheduler import NodeJobs
from servicelayer.governance.execution import Decisions, apply_moderation
from servicelayer.ledger.money import to_stroops as stroops
from servicelayer.runtime.contracts import default_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import api_context
from testnet.ledger.process import LedgerProcess
from testnet.processes import wait_for
from tests.api.helpers import Member, infohash, vote_body
from tests.integration.governance.conftest import GOV_CODE, GovernedNode
from tests.integration.issuance.helpers import dao_public, holding
from tests.integration.settlement.helpers import funded, submit

pytestmark = pytest.mark.integration

DAY = 86_400
VOTING = 3 * DAY  # gov.voting_period_s
TIMELOCK = DAY  # gov.timelock_s
PRICE = 50_000_000
BOND = 1_000_000_000  # gov.appeal_bond


def outside(node: GovernedNode, contract: str, action: Action) -> None:
    """An input from the balance index or the ledger watcher, through the node's runtime."""
    state = node.state
    assert state is not None
    ctx = api_context(state.clock(), state.settings.epoch_seconds)
    applied = state.mutations.write(lambda s: state.runtime.apply(s, contract, [action], ctx))
    refused = [e for a in applied for e in a.events if isinstance(e, EventRejected)]
    assert not refused, refused


def appeal(node: GovernedNode, action: ActionAppeal) -> Decisions:
    """A bond seen on the ledger files an appeal: a moderation action with fan-out."""
    state = node.state
    assert state is not None
    ctx = api_context(state.clock(), state.settings.epoch_seconds)
    return state.mutations.write(lambda s: apply_moderation(state.runtime, s, [action], ctx))


def passed(node: GovernedNode, member: Member, body: dict[str, Any]) -> int:
    """A proposal ``member`` makes, weighs alone (the snapshot) and votes for."""
    created = member.post("/v1/proposals", body)
    assert created.status_code == 201, created.text
    proposal = created.json()
    pid: int = proposal["id"]
    snapshot = ReceiveBalanceSnapshot(pid, proposal["start_ledger"], ((member.account, 100),))
    outside(node, "moderation", snapshot)
    voted = member.post(f"/v1/proposals/{pid}/votes", vote_body(member.keypair, pid, "yes"))
    assert voted.status_code == 201, voted.text
    return pid


def status(member: Member, pid: int) -> str:
    value: str = member.get(f"/v1/proposals/{pid}").json()["status"]
    return value


def found(member: Member, word: str) -> list[str]:
    page = member.get("/v1/catalog", q=word)
    assert page.status_code == 200, page.text
    return [hit["infohash"] for hit in page.json()["items"]]


def entitlement(member: Member, account: str, content: str) -> dict[str, Any]:
    answer = member.get("/v1/entitlements", account=account, content=content)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def bought(node: GovernedNode, provider: Member, viewer: Member, word: str) -> str:
    """A listed content with a 60-day pass the viewer has paid for."""
    ih = infohash()
    listed = provider.post("/v1/catalog", {"infohash": ih, "title": f"Premiere {word}"})
    assert listed.status_code == 201, listed.text
    offer = provider.post(
        "/v1/access/offers", {"content": ih, "price": PRICE, "duration": 60 * DAY}
    )
    assert offer.status_code == 200, offer.text
    payment = ReceiveAccessPayment(viewer.account, ih, NATIVE, PRICE, uuid.uuid4().hex)
    outside(node, "access", payment)
    assert entitlement(viewer, viewer.account, ih)["allowed"] is True
    return ih


def test_a_passed_delisting_leaves_search_and_entitlements_after_its_timelock(
    governed: GovernedNode,
) -> None:
    node = governed
    provider, viewer, member = Member(node), Member(node), Member(node)  # type: ignore[arg-type]
    word = uuid.uuid4().hex
    ih = bought(node, provider, viewer, word)
    pid = passed(node, member, {"kind": "delist", "target": ih, "description": "pirated"})

    node.clock.advance(VOTING)
    counted = node.tick().decisions
    assert counted is not None and pid in counted.finalised and pid not in counted.executed
    assert status(member, pid) == "passed"
    assert found(member, word) == [ih]  # the timelock has not elapsed yet

    node.clock.advance(TIMELOCK)
    done = node.tick().decisions
    assert done is not None and pid in done.executed
    assert status(member, pid) == "executed"
    assert found(member, word) == []
    assert member.get(f"/v1/catalog/{ih}").json()["status"] == "delisted"
    answer = entitlement(member, viewer.account, ih)
    assert (answer["allowed"], answer["reason"]) == (False, "content_delisted")
    assert answer["sources"]["access"]["reason"] == "content_delisted"

    assert node.tick().decisions is None  # nothing is due any more: nothing journaled


def test_an_appeal_hides_the_content_then_relists_it_or_confirms_the_delisting(
    governed: GovernedNode,
) -> None:
    node = governed
    provider, viewer, member, appellant = (Member(node) for _ in range(4))  # type: ignore[arg-type]
    words = uuid.uuid4().hex, uuid.uuid4().hex
    won, lost = (bought(node, provider, viewer, w) for w in words)
    delistings = [passed(node, member, {"kind": "delist", "target": ih}) for ih in (won, lost)]
    node.clock.advance(VOTING + TIMELOCK)
    assert node.tick().decisions is not None
    assert [status(member, pid) for pid in delistings] == ["executed", "executed"]

    appeals = []
    for pid in delistings:
        start = node.clock()
        bond = ActionAppeal(pid, appellant.account, start, NATIVE, BOND, uuid.uuid4().hex)
        filed = appeal(node, bond)
        [appeal_id] = [e.proposal_id for e in filed.events if isinstance(e, EventProposalCreated)]
        hidden = ("catalog", "ReceiveContentHidden", "")
        assert hidden in [(c.contract, c.action, c.refused) for c in filed.carried]
        weights = ((member.account, 100),)
        outside(node, "moderation", ReceiveBalanceSnapshot(appeal_id, start, weights))
        appeals.append(appeal_id)
    member = Member(node, member.keypair)  # type: ignore[arg-type]  # signed in again
    for appeal_id, choice in zip(appeals, ("yes", "no"), strict=True):
        body = vote_body(member.keypair, appeal_id, choice)
        cast = member.post(f"/v1/proposals/{appeal_id}/votes", body)
        assert cast.status_code == 201, cast.text
    for ih in (won, lost):
        assert member.get(f"/v1/catalog/{ih}").json()["status"] == "hidden"
        assert found(member, words[(won, lost).index(ih)]) == []

    node.clock.advance(VOTING)  # an appeal has no timelock
    assert node.tick().decisions is not None
    assert found(member, words[0]) == [won]
    assert entitlement(member, viewer.account, won)["allowed"] is True  # the pass counts again
    assert member.get(f"/v1/catalog/{lost}").json()["status"] == "delisted"
    assert entitlement(member, viewer.account, lost)["reason"] == "content_delisted"
    assert [status(member, a) for a in appeals] == ["executed", "failed"]


def test_a_channel_ban_delists_every_item_of_the_provider(governed: GovernedNode) -> None:
    node = governed
    provider, viewer, member = (Member(node) for _ in range(3))  # type: ignore[arg-type]
    word = uuid.uuid4().hex
    items = [bought(node, provider, viewer, word) for _ in range(2)]
    pid = passed(node, member, {"kind": "ban", "target": provider.account})
    node.clock.advance(VOTING + TIMELOCK)
    done = node.tick().decisions
    assert done is not None and pid in done.executed
    assert found(member, word) == []
    for ih in items:
        assert member.get(f"/v1/catalog/{ih}").json()["status"] == "delisted"
        assert entitlement(member, viewer.account, ih)["reason"] == "content_delisted"
    provider = Member(node, provider.keypair)  # type: ignore[arg-type]  # signed in again
    again = provider.post("/v1/catalog", {"infohash": infohash(), "title": "Comeback"})
    assert again.status_code == 409 and again.json()["error"] == "provider_banned"


def test_a_parameter_change_reaches_the_rewards_contract(governed: GovernedNode) -> None:
    node = governed
    member = Member(node)  # type: ignore[arg-type]
    body = {"kind": "param", "target": "reward.creators_bps", "value": 2500}
    pid = passed(node, member, body)
    node.clock.advance(VOTING + TIMELOCK)
    done = node.tick().decisions
    assert done is not None and pid in done.executed
    assert ("rewards", "ReceiveParameterChanged", "") in [
        (c.contract, c.action, c.refused) for c in done.carried
    ]
    # what the journal holds, rebuilt from scratch as a replay would
    state = node.state
    assert state is not None
    fresh = ContractRuntime(default_specs())
    with state.database.session() as s:
        rewards: RewardsState = fresh.current(s, "rewards")[0]
    assert rewards.params.creators_bps == 2500


def test_a_voted_mint_is_paid_on_the_ledger_exactly_once(
    governed: GovernedNode, ledger: LedgerProcess
) -> None:
    node = governed
    issuer = dao_public(node.data_dir, "issuer")
    recipient = funded(ledger.url)
    submit(ledger.url, recipient.public_key, [ChangeTrust(SdkAsset(GOV_CODE, issuer))], [recipient])
    member = Member(node)  # type: ignore[arg-type]
    amount = 50_000_000_000  # 5000 ACE
    body = {
        "kind": "mint",
        "asset": f"{GOV_CODE}:{issuer}",
        "recipient": recipient.public_key,
        "value": amount,
    }
    pid = passed(node, member, body)
    node.clock.advance(VOTING + TIMELOCK)

    # the node decides, then stops before its ledger step
    state = node.state
    assert state is not None
    decided = governance_executor(state).decide()
    assert decided is not None and pid in decided.executed
    assert ("issuance", "ActionMintByVote", "") in [
        (c.contract, c.action, c.refused) for c in decided.carried
    ]
    assert holding(ledger.url, recipient.public_key, GOV_CODE, issuer) == 0
    node.restart()

    # the restarted node's scheduler finishes the recorded mint
    state = node.state
    assert state is not None
    state.settings.governance.interval_seconds = 1
    jobs = NodeJobs(state)
    jobs.start()
    try:
        wait_for(
            lambda: holding(ledger.url, recipient.public_key, GOV_CODE, issuer) == amount,
            30,
            "the voted mint on the ledger",
        )
    finally:
        jobs.stop()

    for _ in range(2):  # more runs find nothing to do
        again = node.tick()
        assert (again.decisions, again.minted, again.problems) == (None, [], [])
    assert holding(ledger.url, recipient.public_key, GOV_CODE, issuer) == amount
    with Server(ledger.url) as server:
        records = server.payments().for_account(recipient.public_key).limit(50).call()
    mints = [
        r for r in records["_embedded"]["records"] if r["type"] == "payment" and r["from"] == issuer
    ]
    assert [stroops(r["amount"]) for r in mints] == [amount]
    assert status(member, pid) == "executed"


def test_a_mint_the_issuance_would_refuse_is_refused_when_proposed(
    governed: GovernedNode,
) -> None:
    member, stranger = Member(governed), Member(governed)  # type: ignore[arg-type]
    base = {"kind": "mint", "recipient": member.account}
    before = len(member.get("/v1/proposals").json())
    unknown = member.post("/v1/proposals", {**base, "asset": f"NOPE:{stranger.account}",
                                            "value": 10_000_000})  # fmt: skip
    assert (unknown.status_code, unknown.json()["error"]) == (422, "unknown_asset")
    gov = f"{GOV_CODE}:{dao_public(governed.data_dir, 'issuer')}"
    too_much = member.post("/v1/proposals", {**base, "asset": gov, "value": 10**18})
    assert (too_much.status_code, too_much.json()["error"]) == (409, "cap_exceeded")
    assert len(member.get("/v1/proposals").json()) == before  # nothing was opened
