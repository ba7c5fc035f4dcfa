"""Only the catalog owner of published content may price or sell it (issue 9, item 1).

A squatter used to price an infohash nobody had published; when the owner published it,
the owner's own offer was refused and the money for the owner's content went to the
squatter. Payments reach the contracts from the ledger watcher, so the tests apply them
to the node's database the way the watcher does (``outside_input``) and read the
effects: who the contract pays.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from stellar_sdk import Keypair

from contracts.access import ReceiveAccessPayment
from contracts.billing import ActionPayProviders, ReceiveDeposit, ReceiveViewingMinutes
from contracts.catalog import ReceiveContentHidden
from contracts.common import SendProviderRevenue
from contracts.core import NATIVE, Asset, Event
from contracts.issuance import ActionDefineAsset, AssetKind
from tests.api.helpers import Member, infohash, outside_input
from tests.support import NodeProcess

pytestmark = pytest.mark.integration
DAY = 86_400
PRICE = 50_000_000  # 5 XLM
PER_MINUTE = 1_000_000


def ident(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def paid(events: tuple[Event, ...]) -> list[tuple[str, int]]:
    return [(e.provider, e.amount) for e in events if isinstance(e, SendProviderRevenue)]


def refused(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code


def test_a_squatter_cannot_price_unpublished_content_and_the_owner_is_paid(
    node: NodeProcess,
) -> None:
    squatter, owner, viewer = Member(node), Member(node), Member(node)
    ih = infohash()
    offer = {"content": ih, "price": 1, "duration": DAY}
    rate = {"content": ih, "per_minute": 1}
    refused(squatter.post("/v1/access/offers", offer), 409, "content_not_published")
    refused(squatter.post("/v1/billing/rates", rate), 409, "content_not_published")
    assert squatter.get(f"/v1/access/offers/{ih}").status_code == 404  # nothing was stored

    published = owner.post("/v1/catalog", {"infohash": ih, "title": "Mine", "tags": ["film"]})
    assert published.status_code == 201, published.text
    mine = owner.post("/v1/access/offers", offer | {"price": PRICE})
    assert mine.status_code == 200, mine.text
    assert (mine.json()["provider"], mine.json()["price"]) == (owner.account, PRICE)
    metered = owner.post("/v1/billing/rates", rate | {"per_minute": PER_MINUTE})
    assert metered.status_code == 200, metered.text
    assert metered.json()["provider"] == owner.account

    refused(squatter.post("/v1/access/offers", offer), 409, "not_content_owner")
    refused(squatter.post("/v1/billing/rates", rate), 409, "not_content_owner")
    refused(squatter.delete(f"/v1/access/offers/{ih}"), 409, "not_content_owner")
    edit = {"infohash": ih, "title": "Stolen", "tags": ["film"]}
    refused(squatter.post("/v1/catalog", edit), 409, "not_content_owner")
    assert owner.get(f"/v1/catalog/{ih}").json()["title"] == "Mine"

    purchase = ReceiveAccessPayment(viewer.account, ih, NATIVE, PRICE, ident("tx"))
    assert paid(outside_input(node, "access", purchase)) == [(owner.account, PRICE)]
    outside_input(node, "billing", ReceiveDeposit(viewer.account, NATIVE, PRICE, ident("tx")))
    watched = ReceiveViewingMinutes(viewer.account, ih, ident("s"), minute_indices=(0, 1))
    outside_input(node, "billing", watched)
    payouts = paid(outside_input(node, "billing", ActionPayProviders()))
    assert (owner.account, 2 * PER_MINUTE) in payouts
    assert all(who != squatter.account for who, _ in payouts)


def test_no_one_names_content_that_is_not_theirs_in_an_offer_token_or_channel(
    node: NodeProcess,
) -> None:
    owner, other = Member(node), Member(node)
    ih, elsewhere = infohash(), infohash()
    for who, content in ((owner, ih), (other, elsewhere)):
        made = who.post("/v1/catalog", {"infohash": content, "title": "T", "tags": ["x"]})
        assert made.status_code == 201, made.text
    issuer, distribution = Keypair.random().public_key, Keypair.random().public_key
    wrong, right = "W" + uuid.uuid4().hex[:8].upper(), "R" + uuid.uuid4().hex[:8].upper()
    for code, grants in ((wrong, f"content:{elsewhere}"), (right, f"content:{ih}")):
        define = ActionDefineAsset(
            Asset(code, issuer), distribution, 100 * PRICE, AssetKind.ACCESS, grants
        )
        outside_input(node, "issuance", define)
    offer = {"content": ih, "price": PRICE, "duration": DAY}
    refused(owner.post("/v1/access/offers", offer | {"token_code": "NOSUCH"}), 409, "unknown_token")
    refused(
        owner.post("/v1/access/offers", offer | {"token_code": wrong}), 409, "token_not_for_content"
    )
    assert owner.get(f"/v1/access/offers/{ih}").status_code == 404  # the refusals stored nothing
    sold = owner.post("/v1/access/offers", offer | {"token_code": right})
    assert sold.status_code == 200 and sold.json()["token_code"] == right, sold.text

    # plans name channels and bundles name plans: only their owners' (the contract's rules)
    channel, plans = ident("ch"), [ident("p1"), ident("p2")]
    assert owner.post("/v1/channels", {"channel": channel}).status_code == 201
    terms = {"price": PRICE, "period": DAY}
    squat = other.post("/v1/plans", terms | {"plan_id": ident("p"), "channels": [channel]})
    refused(squat, 409, "not_channel_owner")
    for plan in plans:
        assert owner.post("/v1/plans", terms | {"plan_id": plan}).status_code == 201
    refused(
        other.post("/v1/bundles", terms | {"bundle_id": ident("b"), "plans": plans}),
        409,
        "not_bundle_member",
    )

    # a channel named after an infohash would make its owner's publication fail
    unpublished = infohash()
    refused(other.post("/v1/channels", {"channel": unpublished}), 422, "invalid_channel")
    later = owner.post("/v1/catalog", {"infohash": unpublished, "title": "Later", "tags": ["x"]})
    assert later.status_code == 201, later.text


def test_a_hidden_item_gets_no_new_terms_but_its_owner_may_stop_sales(node: NodeProcess) -> None:
    owner = Member(node)
    ih = infohash()
    assert owner.post("/v1/catalog", {"infohash": ih, "title": "T"}).status_code == 201
    offer = {"content": ih, "price": PRICE, "duration": DAY}
    assert owner.post("/v1/access/offers", offer).status_code == 200
    outside_input(node, "catalog", ReceiveContentHidden(ih))  # under appeal
    refused(owner.post("/v1/access/offers", offer | {"price": 1}), 409, "content_hidden")
    refused(
        owner.post("/v1/billing/rates", {"content": ih, "per_minute": 1}), 409, "content_hidden"
    )
    stopped = owner.delete(f"/v1/access/offers/{ih}")
    assert stopped.status_code == 200, stopped.text
    assert (stopped.json()["on_sale"], stopped.json()["price"]) == (False, PRICE)
