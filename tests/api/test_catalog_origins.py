"""A content's catalog owner names its origin seeders; nobody else may (issue 10, item 3)."""

from __future__ import annotations

import httpx
import pytest
from stellar_sdk import Keypair

from tests.api.helpers import Member, infohash
from tests.support import NodeProcess

pytestmark = pytest.mark.integration


def refused(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code


def test_the_owner_registers_origins_others_are_refused(node: NodeProcess) -> None:
    owner, other = Member(node), Member(node)
    ih = infohash()
    seeders = sorted(Keypair.random().public_key for _ in range(2))
    path = f"/v1/catalog/{ih}/origins"
    refused(owner.put(path, {"accounts": seeders}), 409, "content_not_published")
    published = owner.post("/v1/catalog", {"infohash": ih, "title": "Origin", "tags": []})
    assert published.status_code == 201, published.text
    assert published.json()["origins"] == []

    answer = owner.put(path, {"accounts": list(reversed(seeders))})
    assert answer.status_code == 200, answer.text
    assert answer.json()["origins"] == seeders
    assert owner.get(f"/v1/catalog/{ih}").json()["origins"] == seeders
    again = owner.put(path, {"accounts": seeders})  # the same list: nothing changes
    assert again.status_code == 200 and again.json()["origins"] == seeders

    refused(other.put(path, {"accounts": [other.account]}), 409, "not_content_owner")
    assert owner.client.put(path, json={"accounts": seeders}).status_code == 401
    for bad in ({"accounts": ["not-an-account"]}, {"accounts": "G"}, {}):
        assert owner.put(path, bad).status_code == 422
    refused(owner.put(path, {"accounts": ["G" + "A" * 55]}), 422, "invalid_account")  # checksum
    too_many = [Keypair.random().public_key for _ in range(17)]
    assert owner.put(path, {"accounts": too_many}).status_code == 422
    assert owner.put(f"/v1/catalog/{'z' * 40}/origins", {"accounts": []}).status_code == 422

    cleared = owner.put(path, {"accounts": []})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["origins"] == []
    assert node.client().get(f"/v1/catalog/{ih}").json()["origins"] == []
