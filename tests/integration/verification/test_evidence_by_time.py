"""Probe evidence is read by when it was observed, not by the epoch that planned it."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from stellar_sdk import Keypair

from servicelayer.probes.evidence import (
    PeerObservation,
    ProbeCost,
    SwarmEvidence,
    evidence_dumps,
)
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.receipts import network_id
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.storage.verification_models import StoredEvidence
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.inputs import load_inputs
from servicelayer.verification.model import BandwidthClaim
from tests.conftest import BACKENDS
from tests.support import PASSPHRASE, now

pytestmark = pytest.mark.integration
NET = network_id(PASSPHRASE)
E = 3600
SWARM = "ab" * 20
UPLOADER, DOWNLOADER = "127.0.0.1:6881", "127.0.0.1:6882"


def evidence(start: int, end: int) -> SwarmEvidence:
    """A probe over ``[start, end]`` that saw both peers answer the whole time."""
    peer = PeerObservation(
        endpoint=UPLOADER,
        named=True,
        answered=True,
        peer_id="2d4c54323131302d" + "ab" * 12,
        client="libtorrent",
        first_seen=start + 1,
        last_seen=end,
        sources=("named",),
        payload_down=65536,
        payload_up=0,
        hash_failures=0,
        pieces=64,
        seed=True,
        banned=False,
        error="",
    )
    return SwarmEvidence(
        infohash=SWARM,
        started_at=start,
        ended_at=end,
        has_metadata=True,
        num_pieces=64,
        piece_size=32768,
        total_size=2 * 1024 * 1024,
        budget_bytes=65536,
        sampled_pieces=(),
        verified_pieces=(),
        hash_failures=0,
        peers=(peer, dataclasses.replace(peer, endpoint=DOWNLOADER, payload_down=0)),
        bitfields=(),
        served=(),
        cost=ProbeCost(0, 0, 0, 0),
    )


def store(database: Database, planned: int, ev: SwarmEvidence) -> None:
    with database.session(write=True) as s:
        row = StoredEvidence(
            epoch=planned,
            infohash=ev.infohash,
            started_at=ev.started_at,
            ended_at=ev.ended_at,
            cost_bytes=0,
            evidence=evidence_dumps(ev),
        )
        evidence_repo.add_evidence(s, row)


def registered(database: Database, at: int) -> tuple[str, str]:
    accounts = []
    for endpoint in (UPLOADER, DOWNLOADER):
        key = Keypair.random()
        reg = build_registration(
            key.public_key, seq=1, valid_until=at + 10 * E, endpoints=[endpoint]
        )
        with database.session(write=True) as s:
            register(s, to_json(sign_registration(reg, key, NET), NET), NET, at)
        accounts.append(key.public_key)
    return accounts[0], accounts[1]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_probe_planned_for_one_epoch_is_evidence_for_the_epoch_it_observed(
    db: Database,
) -> None:
    a = now() // E - 3
    b = a + 1
    uploader, downloader = registered(db, a * E)
    store(db, a, evidence(b * E + 5, b * E + 135))  # planned in A, ran early in B
    with db.session() as s:
        in_a, in_b = load_inputs(s, a, E), load_inputs(s, b, E)
    assert in_a.probes == ()
    (probe,) = in_b.probes
    assert {o.account for o in probe.peers} == {uploader, downloader}

    # B's claim for the window the probe watched is judged by it: seen, so accepted (a
    # fresh uploader with no probe of its own would get nothing: unvetted_account).
    claim = BandwidthClaim("r1", downloader, uploader, SWARM, "s1", b * E, b * E + 60, 10, 10)
    verdict = verify_epoch(dataclasses.replace(in_b, bandwidth=(claim,))).by_id()["r1"]
    assert (verdict.verdict, verdict.reasons) == ("accepted", ())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_probe_running_across_an_epoch_boundary_is_read_by_both_epochs(
    db: Database,
) -> None:
    a = now() // E - 3
    store(db, a, evidence((a + 1) * E - 40, (a + 1) * E + 90))
    store(db, a + 2, evidence((a + 2) * E + 10, (a + 2) * E + 140))
    with db.session() as s:
        seen = [len(load_inputs(s, epoch, E).probes) for epoch in (a, a + 1, a + 2)]
    assert seen == [1, 1, 1]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_migration_gives_stored_evidence_its_observation_end(database_url: str) -> None:
    database = Database(database_url)
    try:
        database.upgrade("0010")
        ev = evidence(7 * E - 30, 7 * E + 100)
        with database.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO probe_evidence (epoch, infohash, started_at, cost_bytes, "
                    "evidence) VALUES (6, :ih, :start, 0, :ev)"
                ),
                {"ih": SWARM, "start": ev.started_at, "ev": evidence_dumps(ev)},
            )
        database.upgrade()
        with database.session() as s:
            (row,) = evidence_repo.evidence_observed(s, 7 * E, 8 * E)
        assert row.ended_at == 7 * E + 100
    finally:
        database.dispose()
