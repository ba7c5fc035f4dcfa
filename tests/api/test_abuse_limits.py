"""Cheap abuse against a real node: reused sign-in challenges, floods of sign-ins and of
writes. The node of this module has small limits; each test speaks from its own loopback
address (127.0.0.x), so the per-address counts of one test do not touch another's."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from stellar_sdk import Keypair

from tests.api.helpers import Member, client_from, infohash, signed_challenge
from tests.conftest import BACKENDS, fresh_database
from tests.support import NodeProcess

pytestmark = pytest.mark.integration

LIMITS = {
    "ACENODE_LIMITS__SIGN_IN_PER_ADDRESS": "60/minute",
    "ACENODE_LIMITS__FAILED_SIGN_IN_PER_ADDRESS": "5/minute",
    "ACENODE_LIMITS__FAILED_SIGN_IN_PER_ACCOUNT": "8/minute",
    "ACENODE_LIMITS__WRITES_PER_ACCOUNT": "5/minute",
    "ACENODE_LIMITS__WRITES_PER_ADDRESS": "12/minute",
    "ACENODE_LIMITS__INGEST_PER_ADDRESS": "4/minute",
    "ACENODE_LIMITS__PAGES_PER_ADDRESS": "3/minute",
}


@pytest.fixture(scope="module", params=BACKENDS)
def limited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeProcess]:
    root = tmp_path_factory.mktemp(f"limits-{request.param}")
    with fresh_database(request.param, root / "node.sqlite3") as url:
        proc = NodeProcess(root / "node", url, **LIMITS)
        proc.start()
        yield proc
        if proc.running:
            assert proc.stop() == 0, proc.output()


def exchange(client: httpx.Client, xdr: str) -> httpx.Response:
    return client.post("/v1/auth", json={"transaction": xdr})


def assert_rate_limited(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"] == "rate_limited"
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


def publish(member: Member) -> httpx.Response:
    return member.post("/v1/catalog", {"infohash": infohash(), "title": "Swarm", "tags": []})


def test_a_signed_challenge_buys_one_token(limited: NodeProcess) -> None:
    account = Keypair.random()
    with client_from(limited, "127.0.0.2") as c:
        xdr = signed_challenge(c, account.public_key, account)
        answers = [exchange(c, xdr) for _ in range(23)]
    assert [a.status_code for a in answers].count(200) == 1
    assert answers[0].status_code == 200
    assert answers[1].status_code == 401
    assert answers[1].json()["error"] == "challenge_used"
    # later exchanges are refused too: as used, or, past the refusals allowed, as a flood
    assert {a.json()["error"] for a in answers[1:]} <= {"challenge_used", "rate_limited"}
    assert answers[22].status_code in (401, 429)


def test_concurrent_exchanges_of_one_challenge_give_one_token(limited: NodeProcess) -> None:
    account = Keypair.random()
    with client_from(limited, "127.0.0.3") as c:
        xdr = signed_challenge(c, account.public_key, account)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: _exchange_from(limited, "127.0.0.3", xdr), range(6)))
    assert sorted(answers).count(200) == 1, answers


def _exchange_from(node: NodeProcess, address: str, xdr: str) -> int:
    with client_from(node, address) as c:
        return exchange(c, xdr).status_code


def test_failed_sign_ins_from_one_address_are_throttled(limited: NodeProcess) -> None:
    victim, attacker = Keypair.random(), Keypair.random()
    with client_from(limited, "127.0.0.4") as c:
        for _ in range(5):  # signed with the wrong key
            wrong = exchange(c, signed_challenge(c, victim.public_key, attacker))
            assert wrong.status_code == 401, wrong.text
        assert_rate_limited(exchange(c, signed_challenge(c, victim.public_key, attacker)))
        # the address is throttled even for a good signature, until its window passes
        assert_rate_limited(exchange(c, signed_challenge(c, attacker.public_key, attacker)))
    # elsewhere the same account, and others, sign in as usual
    assert Member(limited, victim, address="127.0.0.5").token
    assert Member(limited, address="127.0.0.5").token


def test_failed_sign_ins_of_one_account_are_throttled(limited: NodeProcess) -> None:
    target, forger = Keypair.random(), Keypair.random()
    for address in ("127.0.0.6", "127.0.0.7"):  # 4 refusals each: under the address limit
        with client_from(limited, address) as c:
            for _ in range(4):
                wrong = exchange(c, signed_challenge(c, target.public_key, forger))
                assert wrong.status_code == 401, wrong.text
    with client_from(limited, "127.0.0.8") as c:
        assert_rate_limited(exchange(c, signed_challenge(c, target.public_key, target)))
        # another account from that address is not affected
        other = Keypair.random()
        assert exchange(c, signed_challenge(c, other.public_key, other)).status_code == 200


def test_an_accounts_writes_past_its_limit_are_throttled(limited: NodeProcess) -> None:
    flooder = Member(limited, address="127.0.0.9")
    for _ in range(5):
        assert publish(flooder).status_code == 201
    refused = publish(flooder)
    assert_rate_limited(refused)
    assert "account" in refused.json()["detail"]
    # another account, from the same address, still writes
    assert publish(Member(limited, address="127.0.0.9")).status_code == 201


def test_an_addresss_writes_past_its_limit_are_throttled(limited: NodeProcess) -> None:
    members = [Member(limited, address="127.0.0.10") for _ in range(3)]
    for member in members:
        for _ in range(4):
            assert publish(member).status_code == 201
    refused = publish(Member(limited, address="127.0.0.10"))
    assert_rate_limited(refused)
    assert "address" in refused.json()["detail"]
    assert publish(Member(limited, address="127.0.0.11")).status_code == 201


def test_submissions_past_the_ingest_limit_are_throttled(limited: NodeProcess) -> None:
    with client_from(limited, "127.0.0.12") as c:
        for _ in range(2):
            assert c.post("/v1/receipts", json={"receipts": [{}]}).status_code == 200
            assert c.post("/v1/registrations", json={}).status_code == 422
        assert_rate_limited(c.post("/v1/receipts", json={"receipts": [{}]}))
        assert_rate_limited(c.post("/v1/registrations", json={}))
    with client_from(limited, "127.0.0.13") as c:
        assert c.post("/v1/receipts", json={"receipts": [{}]}).status_code == 200


def test_pages_of_an_epochs_lists_past_the_limit_are_throttled(limited: NodeProcess) -> None:
    with client_from(limited, "127.0.0.14") as c:
        assert c.get("/v1/epochs/5/verdicts").status_code == 404  # not closed: counted too
        assert c.get("/v1/epochs/5/payouts").status_code == 404
        assert c.get("/v1/epochs/5/verdicts", params={"limit": 1}).status_code == 404
        assert_rate_limited(c.get("/v1/epochs/5/payouts"))
        assert c.get("/v1/epochs").status_code == 200  # the other reads are not counted
    with client_from(limited, "127.0.0.15") as c:
        assert c.get("/v1/epochs/5/payouts").status_code == 404
