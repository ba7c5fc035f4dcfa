"""A small real run of verification: libtorrent sessions on loopback, real probes.

A rate-limited seeder (an honest uploader) serves two leechers while the node probes the
swarm. Then each leecher's account signs an honest receipt from its payload counter, and
the cheats are added: a receipt naming an uploader that never joined the swarm, and an
inflated receipt in a second session. Both downloaders pay for the content, the catalog
knows its bitrate. ``acenode bench fraud`` reports its figures; the integration tests
assert its verdicts.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from stellar_sdk import Keypair

from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes.evidence import evidence_loads
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, ProbeRunner, probe_window
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import WINDOW_SECONDS, network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.verification.bench import Tally, score_epoch
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.inputs import load_inputs
from servicelayer.verification.model import ContentInfo, ViewerPayment
from servicelayer.verification.simulation.traffic import Truth
from servicelayer.verification.verdicts import ReceiptVerdict
from testnet.processes import free_port
from testnet.swarm import KiB, MiB, SwarmPeer, make_torrent_fixture, start_leecher, start_seeder

NET = network_id(DEFAULT_PASSPHRASE)
DAY = 86_400  # one-day epochs: the probe and the receipts fall in one epoch
BITRATE = 160 * KiB  # the "video" bitrate the catalog announces
PRICE = 1_000_000  # stroops each downloader paid for the content


@dataclass
class RealRun:
    verdicts: dict[str, ReceiptVerdict]  # by label: honest-1, honest-2, absent, inflated
    tally: Tally
    probe_bytes: int


def _register(database: Database, key: Keypair, endpoint: str, t: int) -> None:
    reg = build_registration(key.public_key, seq=1, valid_until=t + 3600, endpoints=[endpoint])
    with database.session(write=True) as s:
        register(s, to_json(sign_registration(reg, key, NET), NET), NET, t)


def _store(database: Database, receipts: list[dict[str, object]], now: int) -> None:
    policy = IngestPolicy(NET, 120, DAY, 125_000_000, DAY)
    with database.session(write=True) as s:
        refused = [r for r in ingest_batch(s, receipts, policy, now) if r.status != "accepted"]
    if refused:
        raise RuntimeError(f"a receipt of the real run was refused: {refused[0]}")


def _busiest_window(start: int, end: int) -> int:
    windows = range(start - start % WINDOW_SECONDS, end, WINDOW_SECONDS)
    return max(windows, key=lambda w: min(end, w + WINDOW_SECONDS) - max(start, w))


@dataclass
class _Counters:
    """Each leecher's bytes from the seeder, sampled every quarter second, so a receipt
    of a window claims what was received by that window's end (as a player signs it),
    not what arrived after it."""

    samples: list[tuple[float, list[int]]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, leechers: list[SwarmPeer], seeder: str) -> None:
        last = [0] * len(leechers)
        while not self.stop.is_set():
            for i, leecher in enumerate(leechers):
                last[i] = max(last[i], leecher.payload_counters().get(seeder, (0, 0))[0])
            self.samples.append((time.time(), list(last)))
            self.stop.wait(0.25)

    def by(self, moment: int) -> list[int]:
        before = [values for at, values in self.samples if at <= moment]
        return before[-1] if before else [0] * len(self.samples[0][1])


def run_real(workdir: Path | None = None, probe_seconds: int = 15) -> RealRun:
    with tempfile.TemporaryDirectory(prefix="acenode-real-") as tmp:
        return _run(workdir or Path(tmp), probe_seconds)


def _run(root: Path, probe_seconds: int) -> RealRun:
    database = Database(f"sqlite:///{root / 'node.sqlite3'}")
    database.upgrade()
    fixture = make_torrent_fixture(root / "seed", size=3 * MiB, piece_size=32 * KiB)
    infohash = bytes.fromhex(fixture.infohash)
    uploader, ghost = Keypair.random(), Keypair.random()
    downloaders = [ReceiptSigner(Keypair.random(), DEFAULT_PASSPHRASE) for _ in range(2)]
    t0 = int(SystemClock().wall_seconds())
    with start_seeder(fixture, upload_rate_limit=384 * KiB) as seeder:
        leechers = [
            start_leecher(fixture, root / f"leech{i}", connect_to=[seeder.endpoint])
            for i in range(2)
        ]
        counters = _Counters()
        sampler = threading.Thread(target=counters.run, args=(leechers, str(seeder.endpoint)))
        sampler.start()
        try:
            _register(database, uploader, str(seeder.endpoint), t0)
            _register(database, ghost, f"127.0.0.1:{free_port()}", t0)
            sessions = []
            for signer, leecher in zip(downloaders, leechers, strict=True):
                _register(database, signer.keypair, str(leecher.endpoint), t0)
                sessions.append(signer.bandwidth_session(uploader.public_key, infohash, t0 - 60))
            # the first receipts name the swarm, so the node probes it
            _store(
                database,
                [d.wire(s.update(1, t0)) for d, s in zip(downloaders, sessions, strict=True)],
                t0,
            )
            with (
                TorrentSession(loopback_settings()) as torrents,
                TorrentSession(loopback_settings()) as checks,
            ):
                runner = ProbeRunner(
                    database,
                    (SharedSession(torrents), SharedSession(checks)),
                    Keypair.random(),
                    NET,
                    DAY,
                    ProbePolicy(seconds=probe_seconds, budget_bytes=128 * KiB),
                    SystemClock(),
                )
                try:
                    probe_window(runner)
                finally:
                    runner.close()
            for leecher in leechers:
                leecher.wait_complete(timeout_s=60)
        finally:
            counters.stop.set()
            sampler.join()
            for leecher in leechers:
                leecher.close()
    return _judge(
        database, fixture.infohash, infohash, t0, uploader, ghost, downloaders, sessions, counters
    )


def _judge(
    database: Database,
    hex_infohash: str,
    infohash: bytes,
    t0: int,
    uploader: Keypair,
    ghost: Keypair,
    downloaders: list[ReceiptSigner],
    sessions: list,
    counters: _Counters,
) -> RealRun:
    with database.session() as s:
        (row,) = evidence_repo.evidence_in(s, t0 // DAY)
    evidence = evidence_loads(row.evidence)
    w = _busiest_window(evidence.started_at, evidence.ended_at)
    received = counters.by(w + WINDOW_SECONDS)
    first, second = downloaders
    inflated = first.bandwidth_session(uploader.public_key, infohash, t0 - 60)
    absent = second.bandwidth_session(ghost.public_key, infohash, t0 - 60)
    labelled = {
        "honest-1": (first.wire(sessions[0].update(received[0], w)), Truth("honest", received[0])),
        "honest-2": (second.wire(sessions[1].update(received[1], w)), Truth("honest", received[1])),
        "inflated": (first.wire(inflated.update(received[0] * 10, w)), Truth("inflated_bytes", 0)),
        "absent": (second.wire(absent.update(received[1], w)), Truth("absent_uploader", 0)),
    }
    _store(database, [r for r, _ in labelled.values()], max(w, int(SystemClock().wall_seconds())))
    payments = [ViewerPayment(d.account, hex_infohash, PRICE) for d in downloaders]
    with database.session() as s:
        inputs = load_inputs(
            s, t0 // DAY, DAY, catalog=[ContentInfo(hex_infohash, BITRATE)], payments=payments
        )
    result = verify_epoch(inputs)
    verdicts = result.by_id()
    tally = Tally()
    truth = {r["id"]: t for r, t in labelled.values()}
    score_epoch(tally, inputs, truth, frozenset({uploader.public_key}), result, row.cost_bytes)
    return RealRun(
        {label: verdicts[str(r["id"])] for label, (r, _) in labelled.items()}, tally, row.cost_bytes
    )
