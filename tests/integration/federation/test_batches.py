"""Sealed batches on a real database: what a validator keeps of a relayed batch, what an
epoch's input set holds, and what applying it puts in the receipts table."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy.orm import Session
from stellar_sdk import Keypair

from servicelayer.errors import InvalidInput, Unauthorized
from servicelayer.federation.batches import (
    BATCH,
    Inputs,
    SealedBatch,
    Unapplied,
    apply_inputs,
    held,
    keep,
    left_out,
    seal_batch,
    sealed_before,
)
from servicelayer.federation.messages import Message, seal
from servicelayer.federation.writes import SignedWrite
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.ledger.records import Memo, ObservedPayment
from servicelayer.probes import registry
from servicelayer.probes.evidence import PeerObservation, ProbeCost, SwarmEvidence
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.service import store_evidence
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo, receipts_repo
from servicelayer.storage.db import Database
from testnet.epoch_inputs import content
from tests.support import PASSPHRASE, make_signer

EPOCH = 3600
T = 1_796_000_000 // EPOCH * EPOCH  # an epoch's start
POLICY = IngestPolicy(network_id(PASSPHRASE), 120, 7 * 86_400, 125_000_000, EPOCH)
A, B = sorted((Keypair.random() for _ in range(2)), key=lambda k: k.public_key)
VALIDATORS = [A.public_key, B.public_key]


def receipts(*totals: int) -> list[dict[str, object]]:
    signer = make_signer()
    session = signer.viewing_session(content(0), T)
    return [signer.wire(session.update(total, T + 1)) for total in totals]


def payment(closed_at: int) -> ObservedPayment:
    return ObservedPayment(
        "1", "1", "ab" * 32, 5, closed_at, B.public_key, A.public_key, None, 1, Memo("none"), True
    )


class Recording:
    """Applies receipts through ingestion and records what was applied, in order."""

    def __init__(self) -> None:
        self.order: list[tuple[str, int]] = []

    def receipts(self, session: Session, receipts: list[Any], at: int) -> None:
        ingest_batch(session, receipts, POLICY, at)
        self.order.append(("receipts", at))

    def write(self, session: Session, write: SignedWrite, at: int) -> None:
        self.order.append(("write", at))

    def registration(self, session: Session, registration: Any, at: int) -> None:
        registry.register(session, registration, POLICY.network_id, at)
        self.order.append(("registration", at))

    def evidence(
        self, session: Session, planned: int, evidence: SwarmEvidence, source: str
    ) -> None:
        store_evidence(session, planned, evidence, source)
        self.order.append(("evidence", planned))

    def payment(self, session: Session, payment: ObservedPayment) -> None:
        self.order.append(("payment", payment.closed_at))

    def transaction(self) -> AbstractContextManager[Session]:
        raise AssertionError("not used here")


def relayed(db: Database, batch: SealedBatch) -> bool:
    opened = SealedBatch.open(batch.wire, PASSPHRASE, VALIDATORS)
    with db.session(write=True) as session:
        return keep(session, opened)


def test_a_relayed_batch_is_kept_only_as_the_next_link_of_its_sealers_chain(
    db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sealer = Database(f"sqlite:///{tmp_path_factory.mktemp('sealer')}/a.sqlite3")
    sealer.upgrade()
    with sealer.session(write=True) as session:
        first = seal_batch(session, A, PASSPHRASE, T + 5, receipts(10))
        second = seal_batch(session, A, PASSPHRASE, T + 6, receipts(20))
    assert (first.number, second.number, second.prev) == (0, 1, first.digest)
    with sealer.session() as session:  # served a page at a time
        assert held(session, A.public_key, 0, 1) == ([first.wire], True)
        assert held(session, A.public_key, 1, 5) == ([second.wire], False)
    assert not relayed(db, second)  # a gap: batch 0 is not held here
    assert relayed(db, first) and relayed(db, second)
    assert not relayed(db, second)  # already held
    with sealer.session(write=True) as session:
        third = seal_batch(session, A, PASSPHRASE, T, receipts(30))  # the clock went back
    assert third.sealed_at == second.sealed_at  # a sealer's times never go back

    tampered = {**second.wire, "body": {**second.wire["body"], "receipts": []}}
    with pytest.raises(Unauthorized):
        SealedBatch.open(tampered, PASSPHRASE, VALIDATORS)
    with pytest.raises(Unauthorized):
        SealedBatch.open(second.wire, "Test SDF Network ; September 2015", VALIDATORS)
    with pytest.raises(InvalidInput):
        SealedBatch.open({**second.wire, "kind": "sign"}, PASSPHRASE, VALIDATORS)
    sealer.dispose()


def test_an_input_set_takes_each_sealers_batches_before_the_cutoff_and_applies_them_once(
    db: Database,
) -> None:
    one, two, three = receipts(10, 20, 30)  # one stream, one window: the slot keeps 30
    with db.session(write=True) as session:
        seal_batch(session, A, PASSPHRASE, T + 10, [two, one])
        late = seal_batch(session, A, PASSPHRASE, T + EPOCH + 5, [three])
        seal_batch(session, B, PASSPHRASE, T + 20, [three, one])
    cutoff = T + EPOCH
    with db.session() as session:
        inputs = sealed_before(session, T // EPOCH, VALIDATORS, cutoff)
        assert [(last.sealer, last.number) for last in inputs.sets] == [
            (A.public_key, 0),
            (B.public_key, 0),
        ]
        assert left_out(session, inputs, cutoff) == []
        empty = Inputs.of(inputs.epoch, [[v, -1, ""] for v in VALIDATORS], VALIDATORS)
        assert {last.sealer for last in left_out(session, empty, cutoff)} == set(VALIDATORS)
    applier = Recording()
    paid = payment(T + 15)
    with db.session(write=True) as session:
        assert apply_inputs(session, inputs, applier, [paid]) == 2
        assert apply_inputs(session, inputs, applier) == 0  # applied once
    # by time: A's batch (T + 10), the payment (T + 15), B's batch (T + 20)
    assert applier.order == [("receipts", T + 10), ("payment", T + 15), ("receipts", T + 20)]
    with db.session() as session:
        held = receipts_repo.records_in_windows(session, T, T + EPOCH)
    assert [r.amount for r in held] == [30]  # three receipts, two batches: one slot
    assert late.number == 1


def test_an_input_set_names_every_validator_once_in_account_order() -> None:
    good = [[v, -1, ""] for v in VALIDATORS]
    assert Inputs.of(7, good, VALIDATORS).hash != Inputs.of(8, good, VALIDATORS).hash
    for bad in (
        good[::-1],
        good[:1],
        [[VALIDATORS[0], 0, ""], good[1]],  # a batch needs its digest
        [[VALIDATORS[0], -2, ""], good[1]],
        "sets",
    ):
        with pytest.raises(InvalidInput):
            Inputs.of(7, bad, VALIDATORS)


def observed(infohash: str, start: int) -> SwarmEvidence:
    peer = PeerObservation(
        "127.0.0.1:6881", True, True, "ab" * 20, "lt", start, start + 30, ("named",),
        4096, 0, 0, 64, True, False, "",
    )  # fmt: skip
    return SwarmEvidence(
        infohash, start, start + 30, True, 64, 16384, 1 << 20, 65536, (), (), 0,
        (peer,), (), (), ProbeCost(4096, 0, 100, 100),
    )  # fmt: skip


def test_registrations_and_probe_evidence_travel_in_batches_and_apply_under_one_name(
    db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What a validator's API registered and what its probes saw is sealed, relayed and
    applied like receipts: before it applies, the probes of every validator plan with it
    (``Unapplied``); after, it is in the registry and the evidence store, the evidence
    under a name every validator gives it."""
    uploader, downloader = Keypair.random(), Keypair.random()
    swarm = content(1).hex()
    net = POLICY.network_id
    reg = build_registration(uploader.public_key, 1, T + EPOCH, ["127.0.0.1:6881"])
    registration = to_json(sign_registration(reg, uploader, net), net)
    signer = ReceiptSigner(downloader, PASSPHRASE)
    stream = signer.bandwidth_session(uploader.public_key, content(1), T)
    served = signer.wire(stream.update(4096, T + 5))
    sealer = Database(f"sqlite:///{tmp_path_factory.mktemp('sealer')}/a.sqlite3")
    sealer.upgrade()
    with sealer.session(write=True) as session:
        batches = [
            seal_batch(session, A, PASSPHRASE, T + 5, [served], registrations=[registration]),
            seal_batch(session, A, PASSPHRASE, T + 40, evidence=[(T // EPOCH, observed(swarm, T))]),
        ]
    for batch in batches:
        assert relayed(db, batch)
    with db.session() as session:
        pending = Unapplied()
        assert pending.bandwidth_parties(session, T, T + 60) == [
            (swarm, downloader.public_key, uploader.public_key)
        ]
        assert pending.bandwidth_parties(session, T + 60, T + 120) == []
        assert [r.account_id for r in pending.registrations(session, T)] == [uploader.public_key]
        assert pending.registrations(session, T + EPOCH + 1) == []  # expired by then
        inputs = sealed_before(session, T // EPOCH, VALIDATORS, T + EPOCH)
    applier = Recording()
    with db.session(write=True) as session:
        assert apply_inputs(session, inputs, applier) == 2
    assert applier.order == [
        ("registration", T + 5), ("receipts", T + 5), ("evidence", T // EPOCH), ("receipts", T + 40)
    ]  # fmt: skip
    with db.session() as session:
        assert pending.bandwidth_parties(session, T, T + 60) == []  # applied: in the tables
        assert pending.registrations(session, T) == []
        stored = registry.registrations_in_force(session, T, T + EPOCH)
        (evidence,) = evidence_repo.evidence_observed(session, T, T + EPOCH)
    assert [r.account_id for r in stored] == [uploader.public_key]
    assert evidence.source == f"{batches[1].digest[:16]}.0"
    assert evidence.infohash == swarm and evidence.epoch == T // EPOCH


def test_a_batch_with_a_malformed_registration_or_evidence_is_refused() -> None:
    for field, item in (
        ("registrations", {"account": "G"}),
        ("evidence", {"epoch": 1}),
        ("evidence", {"epoch": -1, "evidence": {}}),
    ):
        batch = seal_batch_wire(A, field, item)
        with pytest.raises(InvalidInput) as refused:
            SealedBatch.open(batch, PASSPHRASE, VALIDATORS)
        assert refused.value.code == "bad_batch"


def seal_batch_wire(keypair: Keypair, field: str, item: object) -> dict[str, Any]:
    body = {
        "number": 0, "prev": "", "sealed_at": T, "receipts": [], "writes": [],
        "registrations": [], "evidence": [],
    }  # fmt: skip
    body[field] = [item]
    return seal(Message(BATCH, keypair.public_key, 0, 0, body), keypair, PASSPHRASE)
