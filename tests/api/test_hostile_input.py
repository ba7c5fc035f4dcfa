"""Every route answers bad input with 4xx and our error body, never 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import Member
from tests.support import NodeProcess

pytestmark = pytest.mark.integration

G = "GBFBVTUXKIPPLROYDDBDZDN3QTYAJDQGLYA7H4HXKGP256F7K6K3H46M"
HUGE = 2**70
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/v1/catalog", {"infohash": "zz" * 20, "title": "x"}),
    ("POST", "/v1/catalog", {"infohash": "ab" * 20, "title": "", "tags": []}),
    ("POST", "/v1/catalog", {"infohash": "ab" * 20, "title": "x\x00y", "tags": ["a b"]}),
    ("POST", "/v1/catalog", {"infohash": "ab" * 20, "title": "x", "bitrate": HUGE}),
    ("POST", "/v1/catalog", {"infohash": "ab" * 20, "title": "x", "channel": "nope"}),
    ("POST", "/v1/catalog", {"infohash": "ab" * 20, "title": "x", "tags": "notalist"}),
    ("POST", "/v1/catalog", ["not", "an", "object"]),
    ("POST", "/v1/catalog", None),
    ("POST", "/v1/channels", {"channel": "has space"}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": -1, "period": 3600}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": 1, "period": 1}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": 1.5, "period": 3600}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": 1, "period": 3600, "asset": "BAD"}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": 1, "period": 3600, "asset": "A:B"}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": 1, "period": 3600, "channels": ["x"]}),
    ("POST", "/v1/plans", {"plan_id": "p", "price": HUGE, "period": 3600}),
    ("POST", "/v1/bundles", {"bundle_id": "b", "plans": [], "price": 1, "period": 3600}),
    ("POST", "/v1/bundles", {"bundle_id": "b", "plans": ["x", "x"], "price": 1, "period": 3600}),
    ("POST", "/v1/subscriptions", {"offering_id": "does-not-exist"}),
    ("POST", "/v1/subscriptions", {"offering_id": "../../etc"}),
    ("DELETE", "/v1/subscriptions/%00", None),
    ("POST", "/v1/access/offers", {"content": "ab" * 20, "price": 1, "duration": 1}),
    (
        "POST",
        "/v1/access/offers",
        {"content": "ab" * 20, "price": 1, "duration": 60, "token_code": "!!"},
    ),
    ("DELETE", "/v1/access/offers/" + "ab" * 20, None),
    ("DELETE", "/v1/access/offers/xyz", None),
    ("POST", "/v1/billing/rates", {"content": "ab" * 20, "per_minute": 0}),
    ("POST", "/v1/billing/rates", {"content": "ab" * 20, "per_minute": 1, "asset": ":"}),
    ("POST", "/v1/proposals", {"kind": "nuke"}),
    ("POST", "/v1/proposals", {"kind": "delist", "target": "not-a-hash"}),
    ("POST", "/v1/proposals", {"kind": "param", "target": "gov.unknown", "value": 1}),
    ("POST", "/v1/proposals", {"kind": "mint", "asset": "XLM", "recipient": "x", "value": 1}),
    ("POST", "/v1/proposals", {"kind": "ban", "target": G, "value": -1}),
    ("POST", "/v1/proposals/1/votes", {"choice": "maybe", "nonce": 0, "signature": "AA=="}),
    ("POST", "/v1/proposals/1/votes", {"choice": "yes", "nonce": -1, "signature": "AA=="}),
    ("POST", "/v1/proposals/1/votes", {"choice": "yes", "nonce": 0, "signature": "!!!"}),
    ("POST", "/v1/proposals/1/votes", {"choice": "yes", "nonce": 0, "signature": "AAAA"}),
    ("POST", "/v1/proposals/0/votes", {"choice": "yes", "nonce": 0, "signature": "AAAA"}),
    ("POST", f"/v1/proposals/{HUGE}/votes", {"choice": "yes", "nonce": 0, "signature": "AA"}),
    ("POST", "/v1/delegations", {"delegate": "nope", "nonce": 0, "signature": "AAAA"}),
    ("POST", "/v1/delegations", {"delegate": G, "nonce": HUGE, "signature": "AAAA"}),
    ("POST", "/v1/delegations", {"delegate": G, "nonce": 0, "signature": "A" * 88}),
]
READS: list[str] = [
    "/v1/auth",
    "/v1/auth?account=GABC",
    "/v1/auth?account=" + "G" * 56,
    "/v1/catalog?limit=0",
    "/v1/catalog?limit=1000",
    "/v1/catalog?offset=-1",
    "/v1/catalog?provider=nope",
    "/v1/catalog?q=" + "x" * 500,
    "/v1/catalog/xyz",
    "/v1/catalog/" + "ab" * 20,
    "/v1/plans?provider=x",
    "/v1/bundles?provider=x",
    "/v1/accounts/nope/subscriptions",
    "/v1/accounts/nope/statement",
    "/v1/accounts/nope/access",
    "/v1/access/offers/xyz",
    "/v1/billing/rates/xyz",
    "/v1/entitlements",
    f"/v1/entitlements?account={G}&content=xyz",
    "/v1/entitlements?account=x&content=" + "ab" * 20,
    "/v1/proposals?status=weird",
    "/v1/proposals/0",
    "/v1/proposals/abc",
    f"/v1/proposals/{HUGE}",
    "/v1/accounts/nope/voting-power",
]
AUTH_BODIES: list[Any] = [
    {"transaction": "AAAA"},
    {"transaction": "not base64 at all!"},
    {"transaction": ""},
    {"transaction": "A" * 9000},
    {"transaction": 42},
    {},
]


@pytest.fixture(scope="module")
def hostile(api_node: NodeProcess) -> Member:
    return Member(api_node)


def _assert_our_error(answer: Any) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    body = answer.json()
    assert set(body) == {"error", "detail"} and body["error"], body


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_bad_writes_are_refused_with_our_error(
    hostile: Member, method: str, path: str, body: Any
) -> None:
    answer = hostile.client.request(method, path, json=body, headers=hostile.headers())
    _assert_our_error(answer)


@pytest.mark.parametrize("path", READS)
def test_bad_reads_are_refused_or_answered_never_5xx(hostile: Member, path: str) -> None:
    answer = hostile.client.get(path)
    if answer.status_code != 200:
        _assert_our_error(answer)


@pytest.mark.parametrize("body", AUTH_BODIES)
def test_bad_sign_ins_are_refused(hostile: Member, body: Any) -> None:
    _assert_our_error(hostile.client.post("/v1/auth", json=body))


def test_a_body_that_is_not_json_is_400(hostile: Member) -> None:
    answer = hostile.client.post(
        "/v1/plans",
        content=b"{not json",
        headers=hostile.headers() | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_json"


def test_no_request_above_made_the_node_fail(api_node: NodeProcess, hostile: Member) -> None:
    assert hostile.client.get("/v1/health").status_code == 200
    assert "Traceback" not in api_node.output()
    assert " 500 " not in api_node.output()
