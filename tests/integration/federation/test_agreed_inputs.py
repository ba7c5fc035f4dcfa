"""Agreed inputs on three real validators (2 of 3) on loopback, the embedded ledger, one
validator's clock 20 s ahead (``clock_offset_seconds``): receipts posted to one validator, to
two, or to each in another order are each one leaf on all three, with one root; and a
validator refuses an input set that leaves out a batch it sealed before the cut-off,
which the next proposal then includes.

The epochs are one minute (the shortest: one receipt window); each test waits for a
fresh epoch so that its receipts are sealed well before the cut-off on every clock.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from stellar_sdk import Asset, Keypair
from stellar_sdk.decorated_signature import DecoratedSignature

from node import settlement as wiring
from node.cli.acedao.ledger import send
from servicelayer.config import load_settings
from servicelayer.federation.agreement import inputs_envelope
from servicelayer.federation.batches import Inputs, SealedBatch
from servicelayer.federation.members import leader
from servicelayer.federation.messages import Message, member_authorization, seal
from servicelayer.federation.writes import sign_write
from servicelayer.keys import create_key_file, load_key_file
from servicelayer.ledger.horizon import Horizon
from servicelayer.receipts.peer import ReceiptSigner
from testnet.epoch_inputs import content
from testnet.federation import LocalFederation
from tests.conftest import fresh_database
from tests.support import PASSPHRASE, make_signer, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.slow]
EPOCH = 60
GRACE = 3
SKEWED = 2  # this validator's clock is 20 s ahead
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": str(GRACE),
    "ACENODE_FEDERATION__RELAY_SECONDS": "1",
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFederation]:
    """Two validators on PostgreSQL, the skewed one on SQLite: each operator picks its own."""
    root = tmp_path_factory.mktemp("agreed")
    with ExitStack() as stack:
        urls = [
            stack.enter_context(fresh_database(backend, root / f"v{i}.sqlite3"))
            for i, backend in enumerate(("postgres", "postgres", "sqlite"))
        ]
        federation = LocalFederation(
            root / "net",
            epoch_seconds=EPOCH,
            round_seconds=10,
            env=NODE_ENV,
            database_urls=urls,
            clock_offsets={SKEWED: 20},
        ).prepare()
        federation.start()
        yield federation
        federation.close()


def fresh_epoch(left: int = 40) -> int:
    """The current epoch, once at least ``left`` seconds of it remain (by the true clock)."""
    return int(
        wait_for(
            lambda: time.time() // EPOCH if EPOCH - time.time() % EPOCH >= left else None,
            timeout=EPOCH,
            what="a fresh epoch",
        )
    )


def post(url: str, receipts: list[dict[str, Any]]) -> list[str]:
    answer = httpx.post(f"{url}/v1/receipts", json={"receipts": receipts}, timeout=10)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(receipts), results
    return [r["id"] for r in results]


def anchored(url: str, epoch: int) -> dict[str, Any] | None:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
    record = answer.json() if answer.status_code == 200 else {}
    return record if record.get("status") in ("anchored", "settled") else None


def leaves(url: str, epoch: int) -> list[str]:
    """The receipt ids of the epoch's verdicts (one leaf each)."""
    answer = httpx.get(f"{url}/v1/epochs/{epoch}/verdicts", timeout=10)
    assert answer.status_code == 200, answer.text
    return sorted(v["receipt_id"] for v in answer.json()["verdicts"])


def viewing(signer: ReceiptSigner, epoch: int, *totals: int) -> list[dict[str, Any]]:
    """One viewing session's receipts in the epoch's first window, one per total."""
    session = signer.viewing_session(content(0), epoch * EPOCH)
    return [signer.wire(session.update(total, epoch * EPOCH + 1)) for total in totals]


def test_each_receipt_is_one_leaf_on_every_validator_with_one_root_despite_a_skewed_clock(
    net: LocalFederation,
) -> None:
    a, b, c = (m.url for m in net.members)
    epoch = fresh_epoch()
    r1, r2, r3 = viewing(make_signer(), epoch, 10, 20, 30)  # one stream, one window
    (r4,) = viewing(make_signer(), epoch, 15)
    (r5,) = viewing(make_signer(), epoch, 25)
    ids = post(a, [r1, r2, r3, r4, r5])
    post(b, [r3, r1, r2, r5])
    post(c, [r2, r3, r1])
    records = [
        wait_for(lambda u=u: anchored(u, epoch), timeout=3 * EPOCH, what=f"{u} to anchor")
        for u in (a, b, c)
    ]
    assert len({(r["root"], r["anchor_tx"]) for r in records}) == 1
    # the stream's slot keeps its highest total, whoever got which first; r4 reached only
    # a, r5 a and b: each is one leaf everywhere
    expected = sorted([ids[2], ids[3], ids[4]])
    assert leaves(a, epoch) == leaves(b, epoch) == leaves(c, epoch) == expected


def test_a_validator_refuses_an_input_set_without_its_batch_and_the_next_one_has_it(
    net: LocalFederation,
) -> None:
    sealer, other, third = net.members
    epoch = fresh_epoch(left=30)
    wait_for(lambda: anchored(sealer.url, epoch - 1), timeout=2 * EPOCH, what="the last epoch")
    net.stop(1, 2)  # no input set can be agreed while the sealer is alone
    (receipt,) = viewing(make_signer(), epoch, 40)
    (rid,) = post(sealer.url, [receipt])
    cutoff = (epoch + 1) * EPOCH + GRACE
    wait_for(lambda: time.time() >= cutoff + 1, timeout=2 * EPOCH, what="the cut-off")

    # a leader's proposal that leaves the sealer's new batch out (every set empty)
    validators = sorted(m.account for m in net.members)
    round_ = next(r for r in range(3) if leader(validators, epoch, r) == other.account)
    settings = load_settings(sealer.directory)
    anchor = wiring.dao_keys(settings).public("anchor")
    sequence = account_sequence(net.ledger_url, anchor)
    body = {
        "what": "inputs",
        "account": anchor,
        "sequence": sequence + 1,
        "fee": 100,
        "sets": [[v, -1, ""] for v in validators],
        "hash": "0" * 64,
    }
    key = load_key_file(other.directory / "node.key")
    wire = seal(Message("sign", key.public_key, epoch, round_, body), key, PASSPHRASE)
    answer = httpx.post(f"{sealer.url}/v1/federation/sign", json=wire, timeout=30)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "batch_left_out"

    net.start(1, 2)
    for member in (sealer, other, third):
        wait_for(lambda m=member: anchored(m.url, epoch), timeout=3 * EPOCH, what="anchored")
        assert rid in leaves(member.url, epoch)


def test_an_equivocating_leader_gets_one_input_set_on_the_ledger_and_every_validator_uses_it(
    net: LocalFederation,
) -> None:
    leader_, _, follower = net.members  # the follower's clock is the skewed one
    epoch = fresh_epoch(left=30)
    wait_for(lambda: anchored(follower.url, epoch - 1), timeout=2 * EPOCH, what="the last epoch")
    net.stop(0, 1)  # the follower alone: nothing can be agreed without the test's leader
    (rid,) = post(follower.url, viewing(make_signer(), epoch, 45))
    cutoff = (epoch + 1) * EPOCH + GRACE
    wait_for(lambda: time.time() >= cutoff + 1, timeout=2 * EPOCH, what="the cut-off")
    post(follower.url, viewing(make_signer(), epoch + 1, 5))  # sealed after the cut-off

    validators = sorted(m.account for m in net.members)
    key = load_key_file(leader_.directory / "node.key")
    held = {v: batches_of(follower.url, v, key) for v in validators}
    honest = [[v, *held[v][-2 if v == follower.account else -1]] for v in validators]
    greedy = [[v, *held[v][-1]] for v in validators]  # with the batch after the cut-off
    anchor = wiring.dao_keys(load_settings(follower.directory)).public("anchor")
    sequence = account_sequence(net.ledger_url, anchor) + 1
    round_ = next(r for r in range(3) if leader(validators, epoch, r) == key.public_key)
    envelopes = []
    for sets in (honest, greedy):  # the follower signs both: it remembers nothing
        inputs = Inputs.of(epoch, sets, validators)
        envelope = inputs_envelope(PASSPHRASE, anchor, sequence, inputs, 100)
        body = {"what": "inputs", "account": anchor, "sequence": sequence, "fee": 100}
        body |= {"sets": sets, "hash": envelope.hash_hex()}
        wire = seal(Message("sign", key.public_key, epoch, round_, body), key, PASSPHRASE)
        answer = httpx.post(f"{follower.url}/v1/federation/sign", json=wire, timeout=30)
        assert answer.status_code == 200, answer.text
        envelope.sign(key)
        envelope.signatures.append(
            DecoratedSignature(
                Keypair.from_public_key(follower.account).signature_hint(),
                base64.b64decode(answer.json()["signature"]),
            )
        )
        envelopes.append(envelope.to_xdr())
    outcomes = [
        httpx.post(f"{net.ledger_url}/transactions", data={"tx": xdr}, timeout=30).status_code
        for xdr in envelopes
    ]
    assert sorted(outcomes) == [200, 400]  # one sequence number: one input set, ever

    net.start(0, 1)
    records = [
        wait_for(lambda m=m: anchored(m.url, epoch), timeout=3 * EPOCH, what="anchored")
        for m in net.members
    ]
    assert len({r["root"] for r in records}) == 1
    for member in net.members:
        assert rid in leaves(member.url, epoch)


def batches_of(url: str, sealer: str, reader: Keypair) -> list[tuple[int, str]]:
    """(number, digest) of the sealer's batches that the validator at ``url`` holds, as
    the validator ``reader`` reads them."""
    authorization = member_authorization(reader, PASSPHRASE, now())
    answer = httpx.get(
        f"{url}/v1/federation/batches/{sealer}",
        headers={"Authorization": authorization},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    validators = [sealer]
    out = [(-1, "")]
    for wire in answer.json()["batches"]:
        batch = SealedBatch.open(wire, PASSPHRASE, validators)
        out.append((batch.number, batch.digest))
    return out


def account_sequence(ledger: str, account: str) -> int:
    return int(httpx.get(f"{ledger}/accounts/{account}", timeout=10).json()["sequence"])


def now() -> int:
    return int(time.time())


def signed(
    url: str,
    who: Keypair,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    key: str,
    signed_at: int | None = None,
) -> httpx.Response:
    """A write signed by ``who`` (``Authorization: Ace-Signed ...``)."""
    content = json.dumps(body).encode() if body is not None else b""
    at = now() if signed_at is None else signed_at
    headers = sign_write(who, PASSPHRASE, method, path, key, content, at)
    headers["Content-Type"] = "application/json"
    return httpx.request(method, f"{url}{path}", content=content, headers=headers, timeout=10)


def acedao(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "node.cli.acedao_main", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_signed_writes_and_treasury_payments_apply_alike_on_every_validator(
    net: LocalFederation, tmp_path: Path
) -> None:
    a, b, c = (m.url for m in net.members)
    provider, poor = Keypair.random(), Keypair.random()
    member = create_key_file(tmp_path / "member.key")  # acedao signs its writes with it
    epoch = fresh_epoch()
    publish = {"infohash": "ab" * 20, "title": "Agreed film", "tags": ["agreed"]}
    plan = {"plan_id": f"p{epoch}", "price": 5 * 10**7, "period": 30 * 86400}
    first = signed(a, provider, "POST", "/v1/catalog", publish, "publish-1")
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "sealed" and first.json()["epoch"] == epoch
    assert signed(a, provider, "POST", "/v1/catalog", publish, "publish-1").status_code == 202
    assert signed(b, provider, "POST", "/v1/catalog", publish, "publish-1").status_code == 202
    assert signed(a, provider, "POST", "/v1/plans", plan, "plan-1").status_code == 202

    # the member pays the plan's price to the treasury (memo "sub"), then subscribes at
    # the validator whose clock is ahead; another account subscribes without paying
    treasury = wiring.dao_keys(load_settings(net.members[0].directory)).public("treasury")
    with Horizon(net.ledger_url) as ledger:
        ledger.fund(f"{net.ledger_url}/friendbot", member.public_key)
        send(
            ledger,
            member,
            PASSPHRASE,
            lambda tx: tx.add_text_memo("sub").append_payment_op(treasury, Asset.native(), "5"),
            "the subscription's price",
        )
    subscribe = {"offering_id": f"p{epoch}"}
    command = ["subscribe", f"p{epoch}", "--node", c, "--key-file", str(tmp_path / "member.key")]
    sealed = acedao(*command, "--idempotency-key", "sub-1")
    assert sealed["result"]["status"] == "sealed", sealed
    assert signed(b, poor, "POST", "/v1/subscriptions", subscribe, "sub-2").status_code == 202

    for url in (a, b, c):
        wait_for(lambda u=url: anchored(u, epoch), timeout=3 * EPOCH, what=f"{url} to anchor")
    items = [httpx.get(f"{u}/v1/catalog/{'ab' * 20}", timeout=10) for u in (a, b, c)]
    assert [i.status_code for i in items] == [200] * 3
    assert {i.json()["provider"] for i in items} == {provider.public_key}
    # every validator applied each write once and keeps its answer under its key
    again = signed(c, provider, "POST", "/v1/catalog", publish, "publish-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == signed(a, provider, "POST", "/v1/catalog", publish, "publish-1").json()
    applied = acedao(*command, "--idempotency-key", "sub-1")["result"]
    assert applied["status"] == "active" and applied["account"] == member.public_key
    for url in (a, b, c):
        paid = signed(url, member, "POST", "/v1/subscriptions", subscribe, "sub-1")
        assert paid.status_code == 201, paid.text
        assert paid.json()["status"] == "active"
        unpaid = signed(url, poor, "POST", "/v1/subscriptions", subscribe, "sub-2")
        assert (unpaid.status_code, unpaid.json().get("error")) == (409, "insufficient_credit"), (
            url,
            unpaid.text,
        )


def test_a_validator_takes_only_writes_the_account_signed(net: LocalFederation) -> None:
    url = net.members[0].url
    who = Keypair.random()
    body = {"infohash": "cd" * 20, "title": "Nobody's"}
    token = httpx.post(
        f"{url}/v1/catalog",
        json=body,
        headers={"Authorization": "Bearer x", "Idempotency-Key": "k1"},
        timeout=10,
    )
    assert (token.status_code, token.json()["error"]) == (401, "signed_write_required")
    content = json.dumps(body).encode()
    headers = sign_write(Keypair.random(), PASSPHRASE, "POST", "/v1/catalog", "k1", content, now())
    headers["Authorization"] = re.sub(  # someone else's signature, claimed as who's
        r"account=G[A-Z2-7]+", f"account={who.public_key}", headers["Authorization"]
    )
    claimed = httpx.post(f"{url}/v1/catalog", content=content, headers=headers, timeout=10)
    assert (claimed.status_code, claimed.json()["error"]) == (401, "bad_signature")
    stale = signed(url, who, "POST", "/v1/catalog", body, "k2", now() - 3600)
    assert (stale.status_code, stale.json()["error"]) == (401, "stale_signature")
    genuine = signed(url, who, "POST", "/v1/catalog", body, "k3")
    assert genuine.status_code == 202, genuine.text
    # the batches carry accounts' writes: only validators read them
    sealer = net.members[0].account
    anyone = httpx.get(f"{url}/v1/federation/batches/{sealer}", timeout=10)
    assert (anyone.status_code, anyone.json()["error"]) == (401, "not_member")
    outsider = member_authorization(who, PASSPHRASE, now())
    answer = httpx.get(
        f"{url}/v1/federation/batches/{sealer}", headers={"Authorization": outsider}, timeout=10
    )
    assert (answer.status_code, answer.json()["error"]) == (401, "not_member")
    # and the validator's /openapi.json says so
    document = httpx.get(f"{url}/openapi.json", timeout=10).json()
    publish = document["paths"]["/v1/catalog"]["post"]
    assert publish["security"] == [{"ace_signed": []}] and "202" in publish["responses"]
    assert document["components"]["securitySchemes"]["ace_signed"]["scheme"] == "Ace-Signed"
    batches = document["paths"]["/v1/federation/batches/{sealer}"]["get"]
    assert batches["security"] == [{"ace_member": []}]
    proposals = document["paths"]["/v1/proposals"]["post"]
    assert proposals["security"] == [{"ace_signed": []}] and "202" in proposals["responses"]
    mine = load_key_file(net.members[1].directory / "node.key")
    assert [n for n, _ in batches_of(url, sealer, mine)][-1] >= 0
