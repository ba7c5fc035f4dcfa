"""An account's own history (statement, purchases, subscriptions, usage) is its viewing
history: only that account's token reads it. Aggregates stay public (issue 9, item 11)."""

from __future__ import annotations

import uuid

import pytest

from contracts.access import ReceiveAccessPayment
from contracts.core import NATIVE
from tests.api.helpers import Member, infohash, outside_input
from tests.support import NodeProcess

pytestmark = pytest.mark.integration
PRICE = 50_000_000
PRIVATE = ("statement", "access", "subscriptions", "usage")


def test_only_the_account_itself_reads_its_history(node: NodeProcess) -> None:
    studio, viewer, snoop = Member(node), Member(node), Member(node)
    film = infohash()
    assert studio.post("/v1/catalog", {"infohash": film, "title": "Film"}).status_code == 201
    offer = {"content": film, "price": PRICE, "duration": 3600}
    assert studio.post("/v1/access/offers", offer).status_code == 200
    outside_input(
        node, "access", ReceiveAccessPayment(viewer.account, film, NATIVE, PRICE, uuid.uuid4().hex)
    )

    with node.client() as anonymous:
        for what in PRIVATE:
            path = f"/v1/accounts/{viewer.account}/{what}"
            nobody = anonymous.get(path)
            assert (nobody.status_code, nobody.json()["error"]) == (401, "unauthorized"), path
            assert film not in nobody.text
            other = snoop.get(path)
            assert (other.status_code, other.json()["error"]) == (403, "not_your_account"), path
            assert film not in other.text
            forged = anonymous.get(path, headers={"Authorization": "Bearer not-a-token"})
            assert forged.status_code == 401, path
            assert viewer.get(path).status_code == 200, path
    [grant] = viewer.get(f"/v1/accounts/{viewer.account}/access").json()["grants"]
    assert grant["content"] == film

    with node.client() as anonymous:  # aggregates and what is on sale stay public
        for path in (
            "/v1/catalog",
            f"/v1/catalog/{film}",
            f"/v1/access/offers/{film}",
            "/v1/plans",
            "/v1/bundles",
            "/v1/epochs",
            f"/v1/accounts/{viewer.account}/voting-power",
        ):
            assert anonymous.get(path).status_code == 200, path


def test_the_openapi_document_says_which_reads_need_the_token(node: NodeProcess) -> None:
    with node.client() as c:
        spec = c.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for what in PRIVATE:
        op = spec["paths"][f"/v1/accounts/{{account}}/{what}"]["get"]
        assert op["security"] == [{"bearer": []}], what
        assert {"401", "403"} <= set(op["responses"]), what
    for path in ("/v1/catalog", "/v1/access/offers/{content}", "/v1/epochs"):
        assert "security" not in spec["paths"][path]["get"], path
