"""Sealed batches on a real database: what a validator keeps of a relayed batch, what an
epoch's input set holds, and what applying it puts in the receipts table."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import InvalidInput, Unauthorized
from servicelayer.federation.batches import (
    Inputs,
    SealedBatch,
    apply_inputs,
    held,
    keep,
    left_out,
    seal_batch,
    sealed_before,
)
from servicelayer.ingest import IngestPolicy
from servicelayer.receipts import network_id
from servicelayer.storage import receipts_repo
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
        first = seal_batch(session, A, PASSPHRASE, receipts(10), T + 5)
        second = seal_batch(session, A, PASSPHRASE, receipts(20), T + 6)
    assert (first.number, second.number, second.prev) == (0, 1, first.digest)
    with sealer.session() as session:  # served a page at a time
        assert held(session, A.public_key, 0, 1) == ([first.wire], True)
        assert held(session, A.public_key, 1, 5) == ([second.wire], False)
    assert not relayed(db, second)  # a gap: batch 0 is not held here
    assert relayed(db, first) and relayed(db, second)
    assert not relayed(db, second)  # already held
    with sealer.session(write=True) as session:
        third = seal_batch(session, A, PASSPHRASE, receipts(30), T)  # the clock went back
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
        seal_batch(session, A, PASSPHRASE, [two, one], T + 10)
        late = seal_batch(session, A, PASSPHRASE, [three], T + EPOCH + 5)
        seal_batch(session, B, PASSPHRASE, [three, one], T + 20)
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
    with db.session(write=True) as session:
        assert apply_inputs(session, inputs, POLICY) == 2
        assert apply_inputs(session, inputs, POLICY) == 0  # applied once
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
