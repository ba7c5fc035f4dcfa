"""The OpenAPI document a DApp developer generates a client from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.helpers import Member
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
# A write that records something new answers 201; one that sets the terms of content you
# already published, or ends something, answers 200 (docs/api.md "Statuses of writes").
CREATES = {
    ("post", "/v1/catalog"),
    ("post", "/v1/channels"),
    ("post", "/v1/plans"),
    ("post", "/v1/bundles"),
    ("post", "/v1/subscriptions"),
    ("post", "/v1/proposals"),
    ("post", "/v1/proposals/{proposal_id}/votes"),
    ("post", "/v1/delegations"),
}


def test_every_write_requires_a_bearer_token_and_an_idempotency_key(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        document = c.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    paths = document["paths"]
    for method, path in WRITES:
        op = paths[path][method]
        assert op["security"] == [{"bearer": []}], path
        (key,) = [p for p in op["parameters"] if p["in"] == "header"]
        assert key["name"] == "Idempotency-Key" and key["required"] is True, path
        assert key["schema"]["pattern"] == "^[!-~]{1,255}$", path
        (success,) = [r for s, r in op["responses"].items() if s.startswith("2")]
        assert "Idempotent-Replayed" in success["headers"], path
        assert {"401", "409", "422"} <= set(op["responses"]), path
        assert "$ref" in str(op["responses"]["401"]), path
    secured = {(m, p) for p, ops in paths.items() for m, op in ops.items() if "security" in op}
    assert secured >= WRITES
    for method, path in secured:
        assert "401" in paths[path][method]["responses"], path


def test_creates_answer_201_and_updates_200_as_documented(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for method, path in WRITES:
        success = {s for s in paths[path][method]["responses"] if s.startswith("2")}
        assert success == ({"201"} if (method, path) in CREATES else {"200"}), path


def _integers(schema: Any, where: str, document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every integer schema reachable from ``schema`` (through $ref, anyOf and properties)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        yield from _integers(document["components"]["schemas"][name], f"{where}>{name}", document)
        return
    if schema.get("type") == "integer":
        yield where, schema
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from _integers(option, where, document)
    for name, prop in schema.get("properties", {}).items():
        yield from _integers(prop, f"{where}.{name}", document)
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], f"{where}[]", document)


def test_every_integer_input_is_bounded_to_64_bits(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        document = c.get("/openapi.json").json()
    inputs = []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                inputs += _integers(p["schema"], f"{method} {path} {p['name']}", document)
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            inputs += _integers(body.get("schema", {}), f"{method} {path} body", document)
    assert len(inputs) > 20
    for where, schema in inputs:
        if "const" in schema:
            continue
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        assert type(low) is int and type(high) is int, where
        assert -(2**63) <= low <= high <= 2**63 - 1, where


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v1/epochs/9223372036854775808", "invalid_request"),
        ("/v1/epochs/9223372036854775808/payouts", "invalid_request"),
        ("/v1/epochs/9223372036854775808/verdicts", "invalid_request"),
        ("/v1/epochs?before=9223372036854775808", "invalid_request"),
        ("/v1/epochs/99999999999", "invalid_request"),
        ("/v1/catalog?offset=9223372036854775808", "invalid_request"),
        ("/v1/proposals/9223372036854775808", "invalid_request"),
    ],
)
def test_integers_past_the_bounds_are_a_json_422(
    api_node: NodeProcess, path: str, code: str
) -> None:
    with api_node.client() as c:
        answer = c.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == code


def test_an_epoch_past_the_bounds_of_ones_usage_is_invalid_epoch(api_node: NodeProcess) -> None:
    member = Member(api_node)
    answer = member.client.get(
        f"/v1/accounts/{member.account}/usage",
        params={"epoch": 2562047788015215},
        headers={"Authorization": f"Bearer {member.token}"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_epoch"


def test_ids_and_accounts_have_patterns(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for path, ops in paths.items():
        for op in ops.values():
            for p in op.get("parameters", []):
                schema = p["schema"].get("anyOf", [p["schema"]])[0]
                if schema.get("type") == "string" and p["in"] in ("path", "query"):
                    if p["name"] in ("q", "tag", "status"):
                        continue  # free text and an enumeration
                    assert "pattern" in schema, (path, p["name"])
    payout = paths["/v1/payouts/{payout_id}"]["get"]["parameters"][0]["schema"]
    assert payout["pattern"] == "^epoch-[0-9]{1,12}-[0-9]{1,9}$"
    account = paths["/v1/accounts/{account}/usage"]["get"]["parameters"][0]["schema"]
    assert account["pattern"] == "^G[A-Z2-7]{55}$"


def test_registrations_body_is_typed(api_node: NodeProcess) -> None:
    with api_node.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    body = paths["/v1/registrations"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "version",
        "network_id",
        "account",
        "seq",
        "valid_until",
        "endpoints",
        "peer_id_prefix",
        "signature",
    }
    assert schema["properties"]["endpoints"]["maxItems"] == 8


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


@pytest.mark.parametrize(
    "price",
    [pytest.param("5", id="text"), pytest.param(True, id="true"), pytest.param(5.5, id="5.5")],
)
def test_a_body_integer_must_be_a_json_integer(api_node: NodeProcess, price: Any) -> None:
    """What the schema says `integer` is what the node takes: not a boolean, not text."""
    provider = Member(api_node)
    plan = {"plan_id": f"p-{provider.account[:8]}", "price": price, "period": 3600}
    refused = provider.post("/v1/plans", plan)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid_request"
    assert provider.post("/v1/plans", plan | {"price": 5.0}).status_code == 201
