"""SEP-10 sign-in, bearer tokens and Idempotency-Key against a real node."""

from __future__ import annotations

import jwt
import pytest
from stellar_sdk import Keypair

from contracts.catalog import ReceiveContentDelisted
from tests.api.helpers import Member, infohash, journal_count, outside_input, signed_challenge
from tests.support import NodeProcess, now

pytestmark = pytest.mark.integration


def publish_body(title: str = "Night of the Living Swarm", tags: list[str] | None = None) -> dict:
    return {"infohash": infohash(), "title": title, "tags": tags or ["horror", "classic"]}


def test_sep10_round_trip_gives_a_token_that_authorises_writes(node: NodeProcess) -> None:
    member = Member(node)
    created = member.post("/v1/catalog", publish_body())
    assert created.status_code == 201, created.text
    assert created.json()["provider"] == member.account


@pytest.mark.parametrize("who", ["wrong_key", "other_account"])
def test_a_challenge_not_signed_by_its_account_is_refused(node: NodeProcess, who: str) -> None:
    account = Keypair.random()
    with node.client() as c:
        if who == "wrong_key":
            xdr = signed_challenge(c, account.public_key, Keypair.random())
        else:  # a valid signature, but by the account the challenge was not for
            other = Keypair.random()
            xdr = signed_challenge(c, other.public_key, account)
        answer = c.post("/v1/auth", json={"transaction": xdr})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"


def test_a_challenge_from_another_server_is_refused(node: NodeProcess) -> None:
    from stellar_sdk.sep.stellar_web_authentication import build_challenge_transaction

    account = Keypair.random()
    forged = build_challenge_transaction(
        Keypair.random().secret,
        account.public_key,
        "localhost",
        "localhost",
        "Standalone Network ; February 2017",
    )
    from stellar_sdk import TransactionEnvelope

    envelope = TransactionEnvelope.from_xdr(forged, "Standalone Network ; February 2017")
    envelope.sign(account)
    with node.client() as c:
        answer = c.post("/v1/auth", json={"transaction": envelope.to_xdr()})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic abc", "Bearer not.a.jwt", "Bearer " + "x" * 5000],
)
def test_writes_without_a_valid_token_are_unauthorised(
    node: NodeProcess, authorization: str | None
) -> None:
    headers = {"Idempotency-Key": "k1"}
    if authorization is not None:
        headers["Authorization"] = authorization
    with node.client() as c:
        answer = c.post("/v1/catalog", json=publish_body(), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"


def test_an_expired_or_foreign_token_is_unauthorised(node: NodeProcess) -> None:
    secret = bytes.fromhex((node.data_dir / "api_jwt.secret").read_text().strip())
    member = Member(node)
    issuer = jwt.decode(member.token, options={"verify_signature": False})["iss"]
    expired = jwt.encode(
        {"sub": member.account, "iss": issuer, "exp": now() - 1}, secret, algorithm="HS256"
    )
    foreign = jwt.encode(
        {"sub": member.account, "iss": issuer, "exp": now() + 600}, b"y" * 32, algorithm="HS256"
    )
    for token in (expired, foreign):
        member.token = token
        answer = member.post("/v1/catalog", publish_body())
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "unauthorized"


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256, "é".encode(), "tab\there"])
def test_a_write_needs_a_well_formed_idempotency_key(
    node: NodeProcess, key: str | bytes | None
) -> None:
    member = Member(node)
    headers: dict[str, str | bytes] = {"Authorization": f"Bearer {member.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    answer = member.client.post("/v1/catalog", json=publish_body(), headers=headers)
    assert answer.status_code == 422
    expected = "idempotency_key_required" if not key else "invalid_idempotency_key"
    assert answer.json()["error"] == expected


def test_a_retried_write_is_applied_once_and_answered_identically(node: NodeProcess) -> None:
    member = Member(node)
    body = publish_body()
    first = member.post("/v1/catalog", body, key="publish-1")
    actions = journal_count(node, "catalog")
    second = member.post("/v1/catalog", body, key="publish-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert journal_count(node, "catalog") == actions
    reused = member.post("/v1/catalog", publish_body("Another film"), key="publish-1")
    assert reused.status_code == 409
    assert reused.json()["error"] == "idempotency_key_reused"
    assert journal_count(node, "catalog") == actions
    # keys belong to an account: another member may use the same key for its own request
    other = Member(node).post("/v1/catalog", publish_body("Third film"), key="publish-1")
    assert other.status_code == 201


def test_search_finds_published_content_and_never_delisted_content(node: NodeProcess) -> None:
    provider = Member(node)
    swarm = publish_body("The Great Swarm", ["documentary", "p2p"])
    other = publish_body("Swarm Intelligence", ["science"])
    for body in (swarm, other):
        assert provider.post("/v1/catalog", body).status_code == 201
    found = provider.get("/v1/catalog", q="swarm", provider=provider.account).json()
    assert found["total"] == 2
    assert {i["infohash"] for i in found["items"]} == {swarm["infohash"], other["infohash"]}
    only = provider.get("/v1/catalog", q="swarm", tag="p2p", provider=provider.account).json()
    assert [i["infohash"] for i in only["items"]] == [swarm["infohash"]]
    assert provider.get("/v1/catalog", provider=Keypair.random().public_key).json()["total"] == 0
    # the DAO delists one (moderation's decision reaches the catalog)
    outside_input(node, "catalog", ReceiveContentDelisted(swarm["infohash"]))
    after = provider.get("/v1/catalog", q="swarm", provider=provider.account).json()
    assert [i["infohash"] for i in after["items"]] == [other["infohash"]]
    item = provider.get(f"/v1/catalog/{swarm['infohash']}").json()
    assert item["status"] == "delisted"


def test_someone_elses_content_cannot_be_republished(node: NodeProcess) -> None:
    body = publish_body()
    assert Member(node).post("/v1/catalog", body).status_code == 201
    taken = Member(node).post("/v1/catalog", body | {"title": "Mine now"})
    assert taken.status_code == 409
    assert taken.json()["error"] == "not_content_owner"


def test_concurrent_retries_with_one_key_apply_once(node: NodeProcess) -> None:
    from concurrent.futures import ThreadPoolExecutor

    member = Member(node)
    body = publish_body("Raced")
    before = journal_count(node, "catalog")
    headers = member.headers("raced-key")

    def send(_: int) -> tuple[int, dict]:
        with node.client() as c:
            answer = c.post("/v1/catalog", json=body, headers=headers)
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} == {201}
    assert all(reply == answers[0][1] for _, reply in answers)
    assert journal_count(node, "catalog") == before + 1
