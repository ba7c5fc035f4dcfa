"""Plans, bundles, subscriptions, pay-per-view, per-minute rates and the entitlement check.

Payments reach the contracts from the ledger watcher, not from the API. This node has no
DAO treasury, so the tests apply those ledger facts (``Receive*``) to its database by
hand; tests/integration/watcher pays a real ledger and lets the watcher credit it.
"""

from __future__ import annotations

import uuid

import pytest

from contracts.access import ReceiveAccessPayment
from contracts.billing import ReceiveDeposit
from contracts.core import NATIVE
from contracts.subscriptions import ReceivePayment
from tests.api.helpers import Member, infohash, outside_input
from tests.support import NodeProcess

pytestmark = pytest.mark.integration
DAY = 86_400
PRICE = 50_000_000  # 5 XLM


def ident(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def published(provider: Member, title: str = "A film") -> str:
    ih = infohash()
    answer = provider.post("/v1/catalog", {"infohash": ih, "title": title, "tags": ["film"]})
    assert answer.status_code == 201, answer.text
    return ih


def entitlement(member: Member, account: str, content: str) -> dict:
    answer = member.get("/v1/entitlements", account=account, content=content)
    assert answer.status_code == 200, answer.text
    body: dict = answer.json()
    return body


def test_a_member_subscribes_to_a_bundle_once_paid_and_may_then_watch(node: NodeProcess) -> None:
    studio, indie, viewer = Member(node), Member(node), Member(node)
    film, short = published(studio), published(indie)
    studio_plan, indie_plan, bundle = ident("studio"), ident("indie"), ident("both")
    for owner, plan in ((studio, studio_plan), (indie, indie_plan)):
        made = owner.post("/v1/plans", {"plan_id": plan, "price": PRICE, "period": 30 * DAY})
        assert made.status_code == 201, made.text
        assert made.json()["provider"] == owner.account
    made = studio.post(
        "/v1/bundles",
        {
            "bundle_id": bundle,
            "plans": [studio_plan, indie_plan],
            "price": PRICE,
            "period": 30 * DAY,
        },
    )
    assert made.status_code == 201, made.text
    assert sorted(made.json()["providers"]) == sorted([studio.account, indie.account])
    assert [p["plan_id"] for p in viewer.get("/v1/plans", provider=indie.account).json()] == [
        indie_plan
    ]
    assert bundle in [b["bundle_id"] for b in viewer.get("/v1/bundles").json()]

    before = entitlement(viewer, viewer.account, short)
    assert (before["allowed"], before["reason"]) == (False, "no_subscription")
    retry_key = ident("subscribe")
    unpaid = viewer.post("/v1/subscriptions", {"offering_id": bundle}, key=retry_key)
    assert unpaid.status_code == 409
    assert unpaid.json()["error"] == "insufficient_credit"
    assert str(PRICE) in unpaid.json()["detail"]

    outside_input(node, "subscriptions", ReceivePayment(viewer.account, NATIVE, PRICE, ident("tx")))
    credit = viewer.get(f"/v1/accounts/{viewer.account}/subscriptions").json()["credits"]
    assert credit == [{"asset": "XLM", "amount": PRICE}]
    # a refusal is not stored: the same key works once the payment is credited
    joined = viewer.post("/v1/subscriptions", {"offering_id": bundle}, key=retry_key)
    assert joined.status_code == 201, joined.text
    sub = joined.json()
    assert (sub["status"], sub["entitled"], sub["reason"]) == (
        "active",
        True,
        "active_subscription",
    )
    for content in (film, short):
        now = entitlement(viewer, viewer.account, content)
        assert (now["allowed"], now["reason"], now["until"]) == (
            True,
            "active_subscription",
            sub["paid_until"],
        )
    again = viewer.post("/v1/subscriptions", {"offering_id": bundle})
    assert again.status_code == 409 and again.json()["error"] == "already_subscribed"

    canceled = viewer.delete(f"/v1/subscriptions/{bundle}")
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["cancel_at_period_end"] is True
    assert entitlement(viewer, viewer.account, film)["allowed"] is True  # paid period runs on
    mine = viewer.get(f"/v1/accounts/{viewer.account}/subscriptions").json()
    assert [s["offering_id"] for s in mine["subscriptions"]] == [bundle]
    assert mine["credits"] == []


def test_only_a_provider_of_its_plans_may_curate_a_bundle(node: NodeProcess) -> None:
    studio, indie, stranger = Member(node), Member(node), Member(node)
    plans = [ident("s"), ident("i")]
    for owner, plan in zip((studio, indie), plans, strict=True):
        made = owner.post("/v1/plans", {"plan_id": plan, "price": PRICE, "period": DAY})
        assert made.status_code == 201
    body = {"bundle_id": ident("b"), "plans": plans, "price": PRICE, "period": DAY}
    taken = stranger.post("/v1/bundles", body)
    assert taken.status_code == 409
    assert taken.json()["error"] == "not_bundle_member"
    assert indie.post("/v1/bundles", body).status_code == 201


def test_pay_per_view_and_per_minute_billing_answer_with_their_reasons(node: NodeProcess) -> None:
    studio, rival, viewer = Member(node), Member(node), Member(node)
    ppv, metered = published(studio, "Premiere"), published(studio, "Live match")
    offer = studio.post("/v1/access/offers", {"content": ppv, "price": PRICE, "duration": 2 * DAY})
    assert offer.status_code == 200, offer.text
    assert viewer.get(f"/v1/access/offers/{ppv}").json()["price"] == PRICE
    stolen = rival.post("/v1/access/offers", {"content": ppv, "price": 1, "duration": DAY})
    assert stolen.status_code == 409 and stolen.json()["error"] == "not_content_owner"
    assert entitlement(viewer, viewer.account, ppv)["sources"]["access"]["reason"] == "no_access"
    outside_input(
        node, "access", ReceiveAccessPayment(viewer.account, ppv, NATIVE, PRICE, ident("tx"))
    )
    bought = entitlement(viewer, viewer.account, ppv)
    assert (bought["allowed"], bought["reason"]) == (True, "access_granted")
    [grant] = viewer.get(f"/v1/accounts/{viewer.account}/access").json()["grants"]
    assert (grant["content"], grant["active"], grant["expires_at"]) == (
        ppv,
        True,
        bought["until"],
    )

    rate = studio.post("/v1/billing/rates", {"content": metered, "per_minute": 1_000_000})
    assert rate.status_code == 200, rate.text
    broke = entitlement(viewer, viewer.account, metered)
    assert broke["allowed"] is False
    assert broke["sources"]["billing"]["reason"] == "insufficient_balance"
    outside_input(node, "billing", ReceiveDeposit(viewer.account, NATIVE, 30_000_000, ident("tx")))
    paid = entitlement(viewer, viewer.account, metered)
    assert (paid["allowed"], paid["reason"]) == (True, "prepaid_balance")
    statement = viewer.get(f"/v1/accounts/{viewer.account}/statement").json()
    assert statement["balances"] == [{"asset": "XLM", "balance": 30_000_000, "status": "solvent"}]
    assert [(line["kind"], line["amount"]) for line in statement["lines"]] == [
        ("credit", 30_000_000)
    ]


def test_unknown_things_are_404_and_unsold_content_is_not_offered(node: NodeProcess) -> None:
    viewer = Member(node)
    ih = infohash()
    assert viewer.get(f"/v1/access/offers/{ih}").status_code == 404
    assert viewer.get(f"/v1/billing/rates/{ih}").status_code == 404
    assert viewer.get(f"/v1/catalog/{ih}").json()["error"] == "unknown_content"
    answer = entitlement(viewer, viewer.account, ih)
    assert (answer["allowed"], answer["reason"]) == (False, "not_offered")
    gone = viewer.delete(f"/v1/subscriptions/{ident('none')}")
    assert gone.status_code == 409 and gone.json()["error"] == "not_subscribed"
