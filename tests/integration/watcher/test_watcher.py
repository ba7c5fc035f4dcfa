"""The ledger watcher of a real node follows a real ledger: members pay the treasury with
stellar-sdk, and what they paid for works through the API; governance votes weigh the
token balances the ledger shows."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from stellar_sdk import Asset, ChangeTrust, Keypair, Payment, Server, TransactionBuilder

from tests.api.helpers import Member, vote_body
from tests.integration.issuance.helpers import acenode, assets, holding
from tests.integration.settlement.helpers import submit
from tests.integration.watcher.conftest import Watched, node_key
from tests.support import PASSPHRASE, wait_for

pytestmark = pytest.mark.integration
PRICE = 50_000_000  # 5 XLM
DAY = 86_400


def funded(watched: Watched) -> Keypair:
    keypair = Keypair.random()
    answer = httpx.get(f"{watched.ledger.url}/friendbot", params={"addr": keypair.public_key})
    assert answer.status_code == 200, answer.text
    return keypair


def pay(
    watched: Watched,
    payer: Keypair,
    amount: str,
    *,
    text: str | None = None,
    hash_memo: bytes | None = None,
) -> dict[str, Any]:
    with Server(watched.ledger.url) as server:
        builder = TransactionBuilder(
            server.load_account(payer.public_key), PASSPHRASE, base_fee=100
        ).set_timeout(60)
        builder.append_payment_op(watched.treasury, Asset.native(), amount)
        if text is not None:
            builder.add_text_memo(text)
        if hash_memo is not None:
            builder.add_hash_memo(hash_memo)
        envelope = builder.build()
        envelope.sign(payer)
        answer: dict[str, Any] = server.submit_transaction(envelope)
    assert answer["successful"] is True
    return answer


def credits(member: Member) -> list[dict[str, Any]]:
    body = member.get(f"/v1/accounts/{member.account}/subscriptions").json()
    found: list[dict[str, Any]] = body["credits"]
    return found


def recorded(watched: Watched, status: str | None = None) -> list[dict[str, Any]]:
    args = ["treasury", "payments", "-d", str(watched.directory), "--json"]
    done = acenode(*args, *(["--status", status] if status else []))
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)["payments"]
    return rows


def followed(watched: Watched) -> int:
    with watched.node.client() as c:
        ledger: int = c.get("/v1/health").json()["ledger"]
    return ledger


def ident(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_a_subscription_is_paid_on_the_ledger_then_taken(watched: Watched) -> None:
    provider = Member(watched.node)
    viewer = Member(watched.node, funded(watched))
    plan = ident("plan")
    made = provider.post("/v1/plans", {"plan_id": plan, "price": PRICE, "period": 30 * DAY})
    assert made.status_code == 201, made.text
    unpaid = viewer.post("/v1/subscriptions", {"offering_id": plan})
    assert unpaid.status_code == 409 and unpaid.json()["error"] == "insufficient_credit"

    pay(watched, viewer.keypair, "5", text="sub")
    wait_for(lambda: credits(viewer) == [{"asset": "XLM", "amount": PRICE}], 20, "the credit")
    taken = viewer.post("/v1/subscriptions", {"offering_id": plan})
    assert taken.status_code == 201, taken.text
    assert (taken.json()["status"], taken.json()["entitled"]) == ("active", True)
    assert credits(viewer) == []


def test_a_prepaid_deposit_shows_in_the_statement(watched: Watched) -> None:
    viewer = Member(watched.node, funded(watched))
    sent = pay(watched, viewer.keypair, "3", text="Prepaid")  # any letter case

    def statement() -> dict[str, Any] | None:
        body: dict[str, Any] = viewer.get(f"/v1/accounts/{viewer.account}/statement").json()
        return body if body["balances"] else None

    body = wait_for(statement, 20, "the deposit")
    assert body["balances"] == [{"asset": "XLM", "balance": 30_000_000, "status": "solvent"}]
    [line] = body["lines"]
    assert (line["kind"], line["amount"], line["balance"]) == ("credit", 30_000_000, 30_000_000)
    [row] = [r for r in recorded(watched) if r["tx_hash"] == sent["hash"]]
    assert (row["route"], row["status"], line["reference"]) == (
        "prepaid",
        "credited",
        row["payment_id"],
    )


def test_pay_per_view_by_content_id_in_a_hash_memo(watched: Watched) -> None:
    studio = Member(watched.node)
    viewer = Member(watched.node, funded(watched))
    content = uuid.uuid4().hex + uuid.uuid4().hex[:8]  # a v1 infohash (20 bytes)
    listed = studio.post("/v1/catalog", {"infohash": content, "title": "Premiere"})
    assert listed.status_code == 201, listed.text
    offer = studio.post(
        "/v1/access/offers", {"content": content, "price": PRICE, "duration": 2 * DAY}
    )
    assert offer.status_code == 200, offer.text

    pay(watched, viewer.keypair, "5", hash_memo=bytes.fromhex(content) + bytes(12))

    def grants() -> list[dict[str, Any]]:
        body = viewer.get(f"/v1/accounts/{viewer.account}/access").json()
        found: list[dict[str, Any]] = body["grants"]
        return found

    [grant] = wait_for(grants, 20, "the access grant")
    assert (grant["content"], grant["active"], grant["purchases"]) == (content, True, 1)
    answer = viewer.get("/v1/entitlements", account=viewer.account, content=content).json()
    assert (answer["allowed"], answer["reason"]) == (True, "access_granted")


def test_a_purchase_delivers_its_content_access_token_on_the_ledger(watched: Watched) -> None:
    studio = Member(watched.node)
    viewer = Member(watched.node, funded(watched))
    content = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    code = "T" + uuid.uuid4().hex[:8].upper()
    token = assets(watched.directory, "issue", code, "--kind", "access", "--content", content,
                   "--cap", "100", "--auth-required")  # fmt: skip
    assert studio.post("/v1/catalog", {"infohash": content, "title": "Tokens"}).status_code == 201
    body = {"content": content, "price": PRICE, "duration": DAY, "token_code": code}
    assert studio.post("/v1/access/offers", body).status_code == 200
    line = ChangeTrust(Asset(code, token["issuer"]))
    submit(watched.ledger.url, viewer.account, [line], [viewer.keypair])

    pay(watched, viewer.keypair, "5", hash_memo=bytes.fromhex(content) + bytes(12))

    def delivered() -> int:  # the issuer authorises the line and pays one whole token
        return holding(watched.ledger.url, viewer.account, code, token["issuer"])

    assert wait_for(delivered, 30, "the access token") == 10_000_000
    listed = {a["code"]: a for a in assets(watched.directory, "list")["assets"]}
    assert (listed[code]["issued"], listed[code]["unfinished"]) == (10_000_000, 0)


def test_a_payment_with_an_unknown_memo_is_recorded_not_lost(watched: Watched) -> None:
    viewer = Member(watched.node, funded(watched))
    pay(watched, viewer.keypair, "1.5", text="hello")
    pay(watched, viewer.keypair, "0.25")  # no memo at all

    def mine() -> list[dict[str, Any]] | None:
        rows = [r for r in recorded(watched, "unrouted") if r["source"] == viewer.account]
        return rows if len(rows) == 2 else None

    memo_less, hello = wait_for(mine, 20, "the unrouted payments")
    assert (hello["amount"], hello["asset"], hello["memo_type"], hello["memo"]) == (
        15_000_000,
        "XLM",
        "text",
        "hello",
    )
    assert (hello["route"], hello["detail"]) == ("none", "unknown_text_memo")
    assert (memo_less["amount"], memo_less["memo_type"]) == (2_500_000, "none")
    assert credits(viewer) == []


def test_the_treasurys_own_payouts_are_not_payments_to_it(watched: Watched) -> None:
    viewer = Member(watched.node, funded(watched))
    payout = [Payment(viewer.account, Asset.native(), "1")]
    submit(watched.ledger.url, watched.treasury, payout, [node_key(watched.directory)])
    pay(watched, viewer.keypair, "0.5", text="sub")  # after the payout on the ledger
    wait_for(lambda: credits(viewer) == [{"asset": "XLM", "amount": 5_000_000}], 20, "it")
    assert [r["amount"] for r in recorded(watched) if r["source"] == viewer.account] == [5_000_000]
    assert not [r for r in recorded(watched) if r["source"] == watched.treasury]


def test_votes_weigh_the_token_balances_the_ledger_shows(watched: Watched) -> None:
    alice = Member(watched.node, funded(watched))
    bob = Member(watched.node, funded(watched))
    code, issuer = watched.governance
    gov = Asset(code, issuer)
    for member in (alice, bob):
        submit(watched.ledger.url, member.account, [ChangeTrust(gov)], [member.keypair])
    submit(
        watched.ledger.url,
        watched.distribution,
        [Payment(alice.account, gov, "600"), Payment(bob.account, gov, "300")],
        [node_key(watched.directory)],
    )
    with Server(watched.ledger.url) as server:
        now = server.ledgers().order(desc=True).limit(1).call()["_embedded"]["records"][0]
    # the proposal starts at a ledger the node followed after the tokens moved
    wait_for(lambda: followed(watched) > now["sequence"], 20, "the watcher")

    created = alice.post("/v1/proposals", {"kind": "delist", "target": uuid.uuid4().hex * 2})
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["start_ledger"] > now["sequence"]
    pid = proposal["id"]

    def snapshotted() -> bool:
        body: dict[str, Any] = alice.get(f"/v1/proposals/{pid}").json()
        return bool(body["snapshot_recorded"])

    wait_for(snapshotted, 20, "the balance snapshot")
    power = alice.get(f"/v1/accounts/{alice.account}/voting-power").json()
    mine = next(p for p in power["proposals"] if p["proposal_id"] == pid)
    assert (mine["balance"], mine["weight"]) == (6_000_000_000, 6_000_000_000)
    cast = alice.post(f"/v1/proposals/{pid}/votes", vote_body(alice.keypair, pid, "yes"))
    assert cast.status_code == 201, cast.text
    cast = bob.post(f"/v1/proposals/{pid}/votes", vote_body(bob.keypair, pid, "no"))
    assert cast.status_code == 201, cast.text
    # later transfers do not change a running proposal's weights
    submit(watched.ledger.url, bob.account, [Payment(alice.account, gov, "300")], [bob.keypair])
    power = bob.get(f"/v1/accounts/{bob.account}/voting-power").json()
    assert next(p for p in power["proposals"] if p["proposal_id"] == pid)["balance"] == (
        3_000_000_000
    )


def test_an_account_without_voting_weight_cannot_propose(watched: Watched) -> None:
    outsider = Member(watched.node)  # holds no governance token, nobody delegates to it
    before = outsider.get("/v1/proposals").json()
    body = {"kind": "delist", "target": uuid.uuid4().hex * 2, "description": "spam"}
    refused = outsider.post("/v1/proposals", body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "below_proposal_threshold"
    assert outsider.get("/v1/proposals").json() == before  # nothing was opened


def test_a_restart_resumes_without_crediting_twice(watched: Watched) -> None:
    viewer = Member(watched.node, funded(watched))
    pay(watched, viewer.keypair, "5", text="sub")
    wait_for(lambda: credits(viewer) == [{"asset": "XLM", "amount": PRICE}], 20, "the credit")
    assert watched.node.stop() == 0, watched.node.output()
    pay(watched, viewer.keypair, "2", text="sub")  # while the node is down
    watched.node.start()
    viewer = Member(watched.node, viewer.keypair)
    total = [{"asset": "XLM", "amount": PRICE + 20_000_000}]
    wait_for(lambda: credits(viewer) == total, 20, "the payment made while down")
    later = followed(watched) + 5
    wait_for(lambda: followed(watched) > later, 20, "more ticks")
    assert credits(viewer) == total
    mine = [r for r in recorded(watched) if r["source"] == viewer.account]
    assert sorted(r["amount"] for r in mine) == [20_000_000, PRICE]
    assert {r["status"] for r in mine} == {"credited"}
