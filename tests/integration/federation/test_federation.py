"""Three validators on loopback, a 2-of-3 treasury on the embedded ledger, no key on any
machine that could pay alone: an epoch is anchored and paid only with the signatures of
two validators that each computed it, and a validator that computed something else
signs nothing.

The validators' inputs are given to each directly (the same contract actions and
receipts in each database, before it starts): agreeing on inputs over the network is
the federation's next part (docs/federation.md)."""

from __future__ import annotations

import base64
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from stellar_sdk import TransactionEnvelope

from node.bench.settle import create_accounts
from servicelayer.federation.members import leader
from servicelayer.federation.messages import Message, seal
from servicelayer.keys import load_key_file
from servicelayer.settlement.plan import Payout, Plan
from testnet.epoch_inputs import EpochInputs
from testnet.federation import LocalFederation, ValidatorDir
from tests.conftest import BACKENDS, fresh_database
from tests.integration.settlement.helpers import paid_by, treasury_of
from tests.support import PASSPHRASE, mid_previous_epoch, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": "0",
}


def make_inputs() -> EpochInputs:
    return EpochInputs.make(1, mid_previous_epoch(), PASSPHRASE)


def owing(net: LocalFederation, payees: int) -> tuple[EpochInputs, str]:
    """An epoch owing ``payees`` providers (their accounts on the ledger), seeded into every
    validator; and the treasury."""
    inputs = EpochInputs.make(payees, mid_previous_epoch(), PASSPHRASE)
    create_accounts(net.ledger_url, [p.account for p in inputs.providers])
    for member in net.members:
        inputs.seed(member.directory)
    return inputs, treasury_of(net.members[0].directory)


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[LocalFederation]:
    net = LocalFederation(tmp_path / "net", round_seconds=3600, env=NODE_ENV)
    yield net.prepare()
    net.close()


@pytest.fixture(params=BACKENDS)
def federation_on(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalFederation]:
    """Three validators, each on a fresh database of the backend."""
    with ExitStack() as stack:
        urls = [
            stack.enter_context(fresh_database(request.param, tmp_path / f"v{i}.sqlite3"))
            for i in range(3)
        ]
        net = LocalFederation(
            tmp_path / "net", round_seconds=3600, env=NODE_ENV, database_urls=urls
        )
        yield net.prepare()
        net.close()


def epoch_of(url: str, epoch: int) -> dict[str, Any]:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
    return answer.json() if answer.status_code == 200 else {}


def settled(url: str, epoch: int) -> dict[str, Any] | None:
    record = epoch_of(url, epoch)
    return record if record.get("status") == "settled" else None


def signatures(ledger: str, tx_hash: str) -> tuple[int, int]:
    """(how many signatures, the ledger) of an applied transaction."""
    record = httpx.get(f"{ledger}/transactions/{tx_hash}", timeout=10).json()
    envelope = TransactionEnvelope.from_xdr(record["envelope_xdr"], PASSPHRASE)
    return len(envelope.signatures), int(record["ledger"])


def payouts(url: str, epoch: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}/payouts", timeout=10)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["payouts"]
    return found


def test_an_epoch_is_anchored_then_paid_with_exactly_two_validators_signatures(
    federation_on: LocalFederation,
) -> None:
    federation = federation_on
    inputs = make_inputs()
    epoch = inputs.epoch
    for member in federation.members:
        inputs.seed(member.directory)
    federation.start()
    records = [
        wait_for(lambda m=m: settled(m.url, epoch), timeout=120, what=f"{m.url} to settle")
        for m in federation.members
    ]
    assert len({(r["root"], r["anchor_tx"], r["settlement_plan"]) for r in records}) == 1
    ledger, treasury = federation.ledger_url, treasury_of(federation.members[0].directory)
    assert paid_by(ledger, treasury) == inputs.owed
    # the provider has no account yet: its payment failed and was redone as a claimable
    # balance, in the slot every validator derives; each validator records the same
    seen = [
        [(p["status"], p["tx_hash"]) for p in payouts(m.url, epoch)] for m in federation.members
    ]
    assert seen[0] == seen[1] == seen[2] and seen[0][0][0] == "paid_as_claimable_balance"
    tx_hash = seen[0][0][1]
    anchor_sigs, anchor_ledger = signatures(ledger, records[0]["anchor_tx"])
    payment_sigs, payment_ledger = signatures(ledger, tx_hash)
    assert (anchor_sigs, payment_sigs) == (2, 2)
    assert anchor_ledger < payment_ledger  # the root is on the ledger before any payment
    assert records[0]["anchor_ledger"] == anchor_ledger
    # the leader asked the others; its record says who signed what
    lead = leader([m.account for m in federation.members], epoch)
    (mine,) = [m for m in federation.members if m.account == lead]
    votes = httpx.get(f"{mine.url}/v1/federation", timeout=10).json()["votes"]
    signed = {(v["what"].split(" ")[0], v["tx_hash"]) for v in votes if v["outcome"] == "signed"}
    assert ("anchor", records[0]["anchor_tx"]) in signed
    assert ("chunk", tx_hash) in signed
    assert {v["member"] for v in votes} <= {m.account for m in federation.members} - {lead}

    # a leader that adds a payout to itself gets no signature, even in the epoch's own slot
    paid = [
        Payout(p["account"], p["asset"], p["amount"], p["id"]) for p in payouts(mine.url, epoch)
    ]
    greedy = Plan.of([*paid, Payout(lead, "native", 10**9, f"epoch-{epoch}-{len(paid)}")])
    follower = next(m for m in federation.members if m is not mine)
    answer = ask_to_sign(
        mine,
        follower,
        epoch,
        {
            "what": "chunk",
            "plan": greedy.id,
            "index": 0,
            "channel": treasury,
            "sequence": 1,
            "claimable": [],
            "fee": 100,
            "anchor_tx": records[0]["anchor_tx"],
            "hash": "0" * 64,
        },
    )
    assert answer.status_code == 409 and answer.json()["error"] == "plan_mismatch", answer.text


def ask_to_sign(
    sender: ValidatorDir, to: ValidatorDir, epoch: int, body: dict[str, Any]
) -> httpx.Response:
    """A ``sign`` request as ``sender`` (its validator key, round 0) to ``to``."""
    key = load_key_file(sender.directory / "node.key")
    wire = seal(Message("sign", key.public_key, epoch, 0, body), key, PASSPHRASE)
    return httpx.post(f"{to.url}/v1/federation/sign", json=wire, timeout=30)


def test_a_validator_that_computed_another_root_signs_nothing_and_the_others_settle(
    federation: LocalFederation,
) -> None:
    inputs = make_inputs()
    epoch = inputs.epoch
    lead = leader([m.account for m in federation.members], epoch)
    odd = next(i for i, m in enumerate(federation.members) if m.account != lead)
    for i, member in enumerate(federation.members):
        inputs.seed(member.directory, extra=1 if i == odd else 0)
    federation.start()
    honest = [m for i, m in enumerate(federation.members) if i != odd]
    records = [
        wait_for(lambda m=m: settled(m.url, epoch), timeout=120, what=f"{m.url} to settle")
        for m in honest
    ]
    assert records[0]["root"] == records[1]["root"]
    treasury = treasury_of(federation.members[0].directory)
    assert paid_by(federation.ledger_url, treasury) == inputs.owed
    odd_url = federation.members[odd].url

    def refused() -> dict[str, Any] | None:
        record = epoch_of(odd_url, epoch)
        return record if "root" in str(record.get("error")) else None

    record = refused() or wait_for(refused, timeout=60, what="the odd validator to notice")
    assert record["status"] == "computed" and record["root"] != records[0]["root"]
    log = federation.nodes[odd].output()
    assert "refused to sign epoch" in log and records[0]["root"] in log and record["root"] in log


def test_with_two_validators_down_nothing_is_paid_until_they_return(
    federation: LocalFederation,
) -> None:
    inputs = make_inputs()
    epoch, accounts = inputs.epoch, [m.account for m in federation.members]
    for member in federation.members:
        inputs.seed(member.directory)
    lead = accounts.index(leader(accounts, epoch))
    federation.start(lead)
    url = federation.members[lead].url

    def no_quorum() -> dict[str, Any] | None:
        closing = httpx.get(f"{url}/v1/federation", timeout=10).json()["closing"]
        return closing if closing and "no_quorum" in closing["waits"] else None

    # not even the epoch's input set is agreed: it cannot close, and says why
    closing = wait_for(no_quorum, timeout=60, what="the leader to miss its quorum")
    assert closing["epoch"] == epoch and epoch_of(url, epoch) == {}
    treasury = treasury_of(federation.members[0].directory)
    assert paid_by(federation.ledger_url, treasury) == {}
    federation.start(*(i for i in range(3) if i != lead))
    for member in federation.members:
        wait_for(lambda m=member: settled(m.url, epoch), timeout=120, what="settled")
    assert paid_by(federation.ledger_url, treasury) == inputs.owed


def test_answers_the_ledger_loses_after_applying_pay_nothing_twice(tmp_path: Path) -> None:
    net = LocalFederation(tmp_path / "net", round_seconds=3600, env=NODE_ENV).prepare()
    try:
        inputs, treasury = owing(net, 300)  # 3 chunks
        assert net.ledger is not None  # from now on every 2nd applied submission answers 504
        net.ledger.stop()
        net.ledger.lose_answers = 2
        net.ledger.start()
        net.start()
        for member in net.members:
            wait_for(lambda m=member: settled(m.url, inputs.epoch), timeout=180, what="settled")
        assert paid_by(net.ledger_url, treasury) == inputs.owed
        assert net.ledger.output().count("lost the answer") >= 2  # of 5 or more applied
    finally:
        net.close()


def test_a_leader_killed_while_paying_is_succeeded_and_every_chunk_pays_once(
    tmp_path: Path,
) -> None:
    net = LocalFederation(tmp_path / "net", round_seconds=3, channels=2, env=NODE_ENV).prepare()
    try:
        inputs, treasury = owing(net, 1200)  # 12 chunks
        net.start()
        epoch, accounts = inputs.epoch, [m.account for m in net.members]

        url = f"{net.ledger_url}/accounts/{treasury}/payments?order=desc&limit=1"

        def paying() -> str | None:  # the leader of the round whose payments are landing
            latest = httpx.get(url, timeout=10).json()["_embedded"]["records"]
            if not latest or latest[0].get("from") != treasury:
                return None
            return leader(accounts, epoch, _round(net, epoch))

        first = wait_for(paying, timeout=120, what="the first payments")
        net.stop(accounts.index(first), sig=signal.SIGKILL)
        live = [m for m in net.members if m.account != first]
        records = [
            wait_for(lambda m=m: settled(m.url, epoch), timeout=180, what="settled") for m in live
        ]
        assert records[0]["settlement_plan"] == records[1]["settlement_plan"]
        assert paid_by(net.ledger_url, treasury) == inputs.owed  # each payee once
        statuses = {p["status"] for p in payouts(live[0].url, epoch)}
        assert statuses == {"paid"}
    finally:
        net.close()


def test_a_leader_killed_after_signing_before_its_payment_arrived_pays_nothing_twice(
    tmp_path: Path,
) -> None:
    """The ledger withholds the first payment it is sent, as if its sender died on the way:
    the leader that sent it (M signatures on it) is killed while it waits; the next leader
    pays the chunk in its slot; the withheld envelope, sent later, pays nobody again."""
    net = LocalFederation(tmp_path / "net", round_seconds=3, env=NODE_ENV).prepare()
    try:
        assert net.ledger is not None
        net.ledger.stop()
        net.ledger.withhold_payments = 1
        net.ledger.start()
        inputs, treasury = owing(net, 100)  # one chunk
        net.start()
        epoch, accounts = inputs.epoch, [m.account for m in net.members]
        (withheld,) = wait_for(net.ledger.withheld, timeout=120, what="a withheld payment")
        envelope = TransactionEnvelope.from_xdr(withheld, PASSPHRASE)
        assert len(envelope.signatures) == 2  # signed by M validators, never arrived
        sender = leader(accounts, epoch, _round(net, epoch))
        net.stop(accounts.index(sender), sig=signal.SIGKILL)
        live = [m for m in net.members if m.account != sender]
        for member in live:
            wait_for(lambda m=member: settled(m.url, epoch), timeout=180, what="settled")
        assert paid_by(net.ledger_url, treasury) == inputs.owed
        # sent now, it pays nobody again: the next leader built the very transaction (one
        # slot, the same bytes: Horizon answers with the one applied before), or another
        # one in its slot (the sequence is used: 400)
        applied = httpx.get(f"{net.ledger_url}/transactions/{envelope.hash_hex()}", timeout=10)
        late = httpx.post(f"{net.ledger_url}/transactions", data={"tx": withheld}, timeout=60)
        if applied.status_code == 200:
            assert late.status_code == 200 and late.json()["ledger"] == applied.json()["ledger"]
        else:
            assert late.status_code == 400, late.text
        assert paid_by(net.ledger_url, treasury) == inputs.owed
    finally:
        net.close()


def _round(net: LocalFederation, epoch: int) -> int:
    start = (epoch + 1) * net.epoch_seconds
    return max(0, int((time.time() - start) // net.round_seconds))


def test_the_next_validator_leads_when_the_leader_is_down(tmp_path: Path) -> None:
    net = LocalFederation(tmp_path / "net", round_seconds=3, env=NODE_ENV).prepare()
    try:
        inputs = make_inputs()
        epoch = inputs.epoch
        for member in net.members:
            inputs.seed(member.directory)
        accounts = [m.account for m in net.members]
        # whoever leads round 0 is down from the start: later rounds lead in turn
        down = accounts.index(leader(accounts, epoch, 0))
        live = [i for i in range(len(net.members)) if i != down]
        net.start(*live)
        records = [
            wait_for(lambda i=i: settled(net.members[i].url, epoch), timeout=120, what="settled")
            for i in live
        ]
        assert records[0]["anchor_tx"] == records[1]["anchor_tx"]
        treasury = treasury_of(net.members[0].directory)
        assert paid_by(net.ledger_url, treasury) == inputs.owed
        net.stop(live[0], sig=signal.SIGKILL)
    finally:
        net.close()


def test_sign_requests_are_checked_before_anything_is_computed(
    federation: LocalFederation,
) -> None:
    federation.start(0)
    url = f"{federation.members[0].url}/v1/federation/sign"
    assert httpx.post(url, json={"kind": "sign"}, timeout=10).status_code == 422
    forged = {
        "kind": "sign",
        "sender": federation.members[1].account,
        "epoch": 1,
        "round": 0,
        "body": {},
        "signature": base64.b64encode(b"x" * 64).decode(),
    }
    answer = httpx.post(url, json=forged, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "bad_signature"
    # well signed by another validator: checked against the epoch it is about
    accounts = [m.account for m in federation.members]
    epoch = next(e for e in range(100, 110) if leader(accounts, e) == accounts[1])
    body = {"what": "anchor", "account": accounts[0], "sequence": 5, "fee": 100}
    body |= {"root": "00" * 32, "entries": [], "hash": "11" * 32}

    def ask(epoch: int, body: dict[str, Any]) -> tuple[int, str]:
        answer = ask_to_sign(federation.members[1], federation.members[0], epoch, body)
        return answer.status_code, answer.json()["error"]

    assert ask(epoch + 1, body) == (409, "not_leader")
    assert ask(epoch, body) == (409, "not_ready")  # no such epoch computed here
    assert ask(epoch, body | {"what": "other"}) == (422, "bad_message")
    assert ask(epoch, body | {"fee": -1}) == (422, "bad_message")
    assert ask(epoch, body | {"fee": 10**6}) == (409, "fee_too_high")
    assert ask(epoch, body | {"entries": [["k", "zz"]]}) == (422, "bad_message")
    inputs = {"what": "inputs", "account": accounts[0], "sequence": 5, "fee": 100}
    inputs |= {"sets": [[a, -1, ""] for a in sorted(accounts)], "hash": "11" * 32}
    assert ask(epoch, inputs | {"sets": [[accounts[0], "x", ""]]}) == (422, "bad_message")
    assert ask(epoch, inputs | {"sets": [[a, -1, ""] for a in accounts[:1]]}) == (
        422,
        "bad_message",
    )
    assert httpx.get(f"{federation.members[0].url}/v1/health", timeout=10).status_code == 200
