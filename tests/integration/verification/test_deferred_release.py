"""Deferred claims on a real database: held in their epoch, paid once by the epoch that
releases them, rejected when caught or never vetted within the bound."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from node.api.routes.epochs import ReceiptProofOut, VerdictOut
from servicelayer.epochs import proofs
from servicelayer.epochs.accounting import verified_usage
from servicelayer.epochs.anchoring import RECEIPT_TAG, RELEASE_TAG, Trees, build_tree, epoch_leaves
from servicelayer.epochs.audit import check_proof
from servicelayer.epochs.pipeline import PipelineConfig, advance
from servicelayer.epochs.replay import replay_accounting
from servicelayer.epochs.steps import compute_step, verify_step
from servicelayer.epochs.verdict_queries import verdict_of, verdicts_in
from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import receipts_repo, verdicts_repo
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.verification.inputs import reputation_row
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.tolerances import DEFERRAL_EPOCHS
from tests.conftest import BACKENDS
from tests.integration.test_ingest_storage import INFOHASH, NOW, submit
from tests.support import PASSPHRASE, make_signer

pytestmark = pytest.mark.integration
S = 3600
E = NOW // S
CONFIG = PipelineConfig(epoch_seconds=S, close_grace_seconds=300)
CONTENT = INFOHASH.hex()
BYTES = 4_000_000


def after(epoch: int) -> int:
    """A time at which ``epoch`` is due to close."""
    return (epoch + 1) * S + 300


def set_reputation(db: Database, rep: Reputation, epoch: int) -> None:
    with db.session(write=True) as s:
        verdicts_repo.put_reputations(s, [reputation_row(rep, epoch)])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_deferred_claim_is_paid_once_by_the_epoch_that_releases_it(db: Database) -> None:
    rt = ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])
    steps = [verify_step(rt, S), compute_step(rt, S)]
    viewer = make_signer()
    honest, ghost, cheat = make_signer(), make_signer(), make_signer()
    wires = []
    for uploader in (honest, ghost, cheat):
        session = viewer.bandwidth_session(uploader.account, INFOHASH, NOW - 200)
        wires.append(viewer.wire(session.update(BYTES, NOW - 120)))
    assert [status for status, _ in submit(db, wires)] == ["accepted"] * 3
    ids = {}

    # epoch E: no probe sampled the swarm, no uploader is vetted -> all three deferred
    assert [p.reached for p in advance(db, CONFIG, steps, "w1", after(E))] == [
        "closed",
        "verified",
        "computed",
    ]
    with db.session() as s:
        views, _ = verdicts_in(s, E)
        assert [(v.verdict, v.weight_ppm, v.held_ppm) for v in views] == [
            ("deferred", 0, 1_000_000)
        ] * 3
        assert verified_usage(s, E, S).served == {}
        for view in views:
            ids[view.receipt_id] = view
    by_uploader = {}
    with db.session() as s:
        for rid in ids:
            r = receipts_repo.get_receipt(s, rid)
            assert r is not None
            by_uploader[r.counterparty] = rid
    honest_id, ghost_id, cheat_id = (by_uploader[u.account] for u in (honest, ghost, cheat))

    # epoch E+1: probes vetted the honest uploader (two passes); the cheat failed them all
    set_reputation(db, Reputation(honest.account, E + 1, E + 1, 2, 0, (True, True)), E + 1)
    failed = Reputation(cheat.account, E + 1, E + 1, 0, 4, (False,) * 4, 4)
    set_reputation(db, failed, E + 1)
    assert [p.reached for p in advance(db, CONFIG, steps, "w1", after(E + 1))][-1] == "computed"
    with db.session() as s:
        released = verdict_of(s, honest_id)
        assert released is not None and released.verdict == "deferred"
        assert released.resolution is not None
        assert (released.resolution.epoch, released.resolution.verdict) == (E + 1, "accepted")
        assert released.resolution.weight_ppm == 1_000_000
        out = VerdictOut(**asdict(released))  # what GET /v1/epochs/{n}/verdicts answers
        assert out.resolution is not None and out.resolution.epoch == E + 1
        caught = verdict_of(s, cheat_id)
        assert caught is not None and caught.resolution is not None
        assert (caught.resolution.verdict, caught.resolution.reasons) == (
            "rejected",
            ["low_reputation"],
        )
        pending = verdict_of(s, ghost_id)
        assert pending is not None and pending.resolution is None
        # counted in E+1's accounting, for the uploader and swarm, and not in E's
        usage = verified_usage(s, E + 1, S)
        assert usage.served == {(honest.account, CONTENT): BYTES}
        assert verified_usage(s, E, S).served == {}
        leaves = [leaf for leaf in epoch_leaves(s, E + 1) if leaf[0] == RELEASE_TAG]
        assert sorted(leaves) == sorted(
            [
                [RELEASE_TAG, E + 1, honest_id, "accepted", 1_000_000],
                [RELEASE_TAG, E + 1, cheat_id, "rejected", 0],
            ]
        )
        root = build_tree(s, E + 1).root
        rows = [
            (r.receipt_id, r.verdict, r.weight_ppm) for r in verdicts_repo.resolutions_in(s, E + 1)
        ]

    # the verify step of E+1 again (a crash before it was recorded): the same resolutions,
    # counted once
    with db.session(write=True) as s:
        verify_closed_epoch(s, E + 1, S)
    with db.session() as s:
        again = [
            (r.receipt_id, r.verdict, r.weight_ppm) for r in verdicts_repo.resolutions_in(s, E + 1)
        ]
        assert again == rows
        assert verified_usage(s, E + 1, S).served == {(honest.account, CONTENT): BYTES}
        assert build_tree(s, E + 1).root == root

    # the receipt's proof (GET /v1/receipts/{id}/proof) carries the release once anchored;
    # both leaves check against their roots the way `acedao audit receipt` checks them
    for epoch in (E, E + 1):
        with db.session(write=True) as s:
            record = s.get(EpochRecord, epoch)
            assert record is not None
            record.root = build_tree(s, epoch).root.hex()
        with db.session() as s:
            view = proofs.receipt_proof(Trees(), s, honest_id)
        if epoch == E:  # E+1 not anchored yet
            assert view["resolution"] is None
    out = ReceiptProofOut(**view)
    assert out.resolution is not None
    assert out.leaf == [RECEIPT_TAG, E, honest_id, "deferred", 0]
    assert out.resolution.leaf == [RELEASE_TAG, E + 1, honest_id, "accepted", 1_000_000]
    with db.session() as s:  # `acenode epochs replay`'s accounting part agrees
        checked, differ = replay_accounting(s, E + 1, PASSPHRASE)
    assert (checked, differ) == (3, [])  # the root and the two resolutions
    for part, expected in ((view, [RECEIPT_TAG, E]), (view["resolution"], [RELEASE_TAG, E + 1])):
        checks, _ = check_proof(part, [*expected, honest_id])
        assert all(c.ok for c in checks), checks

    # the never-vetted uploader: undecided until the bound, then rejected, never lost
    last = E + DEFERRAL_EPOCHS
    for epoch in range(E + 2, last + 1):
        advance(db, CONFIG, steps, "w1", after(epoch))
        with db.session() as s:
            view = verdict_of(s, ghost_id)
            assert view is not None
            if epoch < last:
                assert view.resolution is None
    with db.session() as s:
        view = verdict_of(s, ghost_id)
        assert view is not None and view.resolution is not None
        assert (view.resolution.epoch, view.resolution.verdict, view.resolution.reasons) == (
            last,
            "rejected",
            ["deferred_expired"],
        )
        # each receipt resolved exactly once, nothing left deferred
        assert verdicts_repo.unresolved_deferred(s, last + 10) == []
        for epoch in range(E + 2, last + 1):
            assert verified_usage(s, epoch, S).served == {}
