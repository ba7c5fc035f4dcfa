"""The OpenAPI document a DApp developer generates a client from."""

from __future__ import annotations

import pytest

from tests.support import NodeProcess

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("api_node", ["sqlite"], indirect=True),
]
WRITES = {
    ("post", "/v1/catalog"),
    ("post", "/v1/channels"),
    ("post", "/v1/plans"),
    ("post", "/v1/bundles"),
    ("post", "/v1/subscriptions"),
    ("delete", "/v1/subscriptions/{offering_id}"),
    ("post", "/v1/access/offers"),
    ("delete", "/v1/access/offers/{content}"),
    ("post", "/v1/billing/rates"),
    ("post", "/v1/proposals"),
    ("post", "/v1/proposals/{proposal_id}/votes"),
    ("post", "/v1/delegations"),
}


def test_every_write_documents_sign_in_key_and_errors(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for method, path in WRITES:
        op = paths[path][method]
        headers = {p["name"].lower() for p in op["parameters"] if p["in"] == "header"}
        assert {"authorization", "idempotency-key"} <= headers, path
        assert {"401", "409", "422"} <= set(op["responses"]), path
        assert "$ref" in str(op["responses"]["401"]), path


def test_every_contract_read_is_documented(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/catalog",
        "/v1/catalog/{infohash}",
        "/v1/plans",
        "/v1/bundles",
        "/v1/accounts/{account}/subscriptions",
        "/v1/entitlements",
        "/v1/access/offers/{content}",
        "/v1/billing/rates/{content}",
        "/v1/accounts/{account}/statement",
        "/v1/proposals",
        "/v1/proposals/{proposal_id}",
        "/v1/accounts/{account}/voting-power",
        "/v1/auth",
    ):
        op = paths[path]["get"]
        assert "200" in op["responses"] and "422" in op["responses"], path
