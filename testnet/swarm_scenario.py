"""One short real-swarm scenario against a running node (``acenode bench swarm``).

A content owner publishes a generated video (longer than the verification's prebuffer
allowance) with its bitrate over the REST API. At a chosen wall-clock second an honest
origin seeder (a fresh account, or a veteran one that served an earlier scenario) starts
a rate-capped libtorrent session on loopback; five honest viewers join a few seconds
apart, download at about the bitrate and sign cumulative bandwidth receipts (bytes from
the origin, libtorrent's own counter) and viewing receipts (seconds watched, never more
than the bytes can play). Their sessions last about a minute, so every one of them
crosses a window, and with 60 s epochs an epoch, boundary.

The cheaters, in the same swarm and minute:

- ``inflated_bytes``: a viewer that really downloads from the origin signs several
  times the bytes it got;
- ``absent_uploader``: the same viewer signs for bytes from a registered account that
  never joined the swarm (its endpoint is a closed port);
- ``colluding_pair``: two accounts whose libtorrent sessions hold the torrent but no data
  and never trade sign bandwidth receipts naming each other;
- ``viewing_without_bytes``: an account signs seconds watched without a session.

Every signed receipt is recorded with its ground truth (the real cumulative bytes or
seconds behind it), so the node's stored verdicts can be scored against it. Waiting
polls with deadlines; the only timed pause is the receipt cadence of the peers.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from stellar_sdk import Keypair

from node.cli.acedao.client import NodeClient
from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.receipts import network_id
from servicelayer.receipts.model import Kind
from servicelayer.receipts.peer import ReceiptSigner, StreamSession
from testnet.swarm import (
    KiB,
    MiB,
    SwarmPeer,
    closed_port,
    make_torrent_fixture,
    start_leecher,
    start_seeder,
)

NET = network_id(DEFAULT_PASSPHRASE)
BITRATE = 32 * KiB  # bytes per second of the video, announced in the catalog
SIZE = 2 * MiB  # 64 s of video: longer than the 30 s prebuffer allowance
PIECE = 16 * KiB
VIEWER_RATE = 35 * KiB  # a player streams at about the bitrate (1.1 x)
ORIGIN_RATE = 256 * KiB  # the origin's upload cap (six viewers at their pace)
INFLATE = (3, 8)  # the inflating viewer multiplies its real bytes by this much
CADENCE_S = 4.0  # receipts every few seconds, as a player would sign them
HONEST_VIEWERS = 5  # enough honest receipts over 60 runs for a 1 % Wilson bound
JOIN_SPREAD_S = 8  # viewers join within this many seconds of the origin
DEADLINE_S = 150  # a scenario's sharing ends by then even if a download stalls

ATTACKS = ("inflated_bytes", "absent_uploader", "colluding_pair", "viewing_without_bytes")


@dataclass
class Signed:
    """One receipt the scenario signed: its stream, claimed and real cumulative totals."""

    receipt_id: str
    stream: str  # "<scenario>/<label>"
    truth: str  # "honest" or the attack
    kind: str  # "bandwidth" or "viewing"
    claimed: int  # cumulative bytes or seconds
    real: int
    window: int
    received: int = 0  # cumulative bytes the signer got from every peer (>= real)
    status: str = ""  # the node's answer at ingest: accepted, superseded, rejected, ...
    reason: str = ""


@dataclass
class Veteran:
    """An origin account kept for later scenarios (it has a probe history then)."""

    keypair: Keypair
    minute: int  # the scenario batch it last served in


@dataclass
class ScenarioResult:
    index: int
    start_second: int  # second of the minute the origin started
    fresh_origin: bool
    started_at: int
    ended_at: int
    infohash: str
    origin_endpoint: str = ""
    receipts: list[Signed] = field(default_factory=list)
    error: str | None = None

    @property
    def epochs(self) -> range:
        return range(self.started_at // 60, self.ended_at // 60 + 1)


class _Stream:
    def __init__(
        self, name: str, truth: str, session: StreamSession, signer: ReceiptSigner
    ) -> None:
        self.name = name
        self.truth = truth
        self.session = session
        self.signer = signer
        self.claimed = 0
        self.real = 0

    def sign(
        self, claimed: int, real: int, now: int, out: list[Signed], received: int | None = None
    ) -> dict[str, Any] | None:
        if claimed <= self.claimed:
            return None
        self.claimed, self.real = claimed, real
        signed = self.session.update(claimed, now)
        wire = self.signer.wire(signed)
        kind = "viewing" if self.session.kind == Kind.VIEWING else "bandwidth"
        out.append(
            Signed(
                str(wire["id"]),
                self.name,
                self.truth,
                kind,
                claimed,
                real,
                now - now % 60,
                real if received is None else received,
            )
        )
        return wire


def _register(http: httpx.Client, key: Keypair, endpoints: list[str], seq: int = 1) -> None:
    now = int(time.time())
    reg = build_registration(key.public_key, seq=seq, valid_until=now + 3600, endpoints=endpoints)
    answer = http.post("/v1/registrations", json=to_json(sign_registration(reg, key, NET), NET))
    answer.raise_for_status()


def publish(
    node_url: str, owner: Keypair, infohash: str, title: str, origin: str | None = None
) -> None:
    """The content owner's catalog entry with the bitrate (SEP-10 sign-in, REST), and its
    origin seeder when the owner names one (the swarm is then probed from its first
    window)."""
    client = NodeClient(node_url)
    client.sign_in(owner)
    body = {"infohash": infohash, "title": title, "tags": ["bench"], "bitrate": BITRATE}
    client.write("POST", "/v1/catalog", body, f"bench-{infohash}")
    if origin is not None:
        path = f"/v1/catalog/{infohash}/origins"
        client.write("PUT", path, {"accounts": [origin]}, f"bench-origin-{infohash}")


class Scenario:
    """One swarm, its honest peers and its cheaters; ``run`` blocks until it is over."""

    def __init__(
        self,
        index: int,
        node_url: str,
        root: Path,
        start_at: float,
        rng: random.Random,
        batch: int,
        veteran: Veteran | None = None,
        stop: threading.Event | None = None,
        size: int = SIZE,
    ) -> None:
        self.index = index
        self.node_url = node_url
        self.root = root / f"s{index:03d}"
        self.start_at = start_at
        self.rng = rng
        self.origin = veteran or Veteran(Keypair.random(), batch)
        self.fresh = veteran is None
        self.origin.minute = batch
        self.stop = stop or threading.Event()
        self.fixture = make_torrent_fixture(
            self.root / "origin",
            size=size,
            piece_size=PIECE,
            name=f"video{index}.mp4",
            seed=f"bench-{index}-{rng.random()}".encode(),
        )
        self.result = ScenarioResult(
            index,
            int(start_at) % 60,
            self.fresh,
            int(start_at),
            int(start_at),
            self.fixture.infohash,
        )
        # every other owner names its origin seeder; the others' origins are found by
        # their receipts alone (probed once active, vetted by probes, deferred until then)
        named = self.origin.keypair.public_key if index % 2 == 0 else None
        publish(node_url, Keypair.random(), self.fixture.infohash, f"bench video {index}", named)

    def run(self) -> ScenarioResult:
        try:
            self._run()
        except Exception as exc:  # a failed scenario is reported, not fatal to the bench
            self.result.error = f"{type(exc).__name__}: {exc}"
        self.result.ended_at = int(time.time())
        return self.result

    def _run(self) -> None:
        if self.stop.wait(max(0.0, self.start_at - time.time())):
            return
        self.result.started_at = int(time.time())
        content = bytes.fromhex(self.fixture.infohash)
        peers: list[SwarmPeer] = []
        http = httpx.Client(base_url=self.node_url, timeout=30)
        try:
            seeder = start_seeder(self.fixture, upload_rate_limit=ORIGIN_RATE)
            peers.append(seeder)
            self.result.origin_endpoint = str(seeder.endpoint)
            # a veteran's new registration replaces the one of its earlier scenario (over
            # by now): its sequence number only has to grow
            _register(http, self.origin.keypair, [str(seeder.endpoint)], time.time_ns() // 1000)
            ghost = Keypair.random()
            _register(http, ghost, [f"127.0.0.1:{closed_port()}"])
            pair = [Keypair.random(), Keypair.random()]
            for key in pair:  # the torrent, no data, connected to nobody
                idle = start_leecher(self.fixture, self.root / f"pair-{key.public_key[:6]}")
                peers.append(idle)
                _register(http, key, [str(idle.endpoint)])
            joins = sorted(self.rng.uniform(0, JOIN_SPREAD_S) for _ in range(HONEST_VIEWERS + 1))
            viewers = self._viewers(http, seeder, joins, content, pair, ghost, peers)
            self._share(http, seeder, viewers)
        finally:
            for peer in peers:
                peer.close()
            http.close()

    def _viewers(
        self,
        http: httpx.Client,
        seeder: SwarmPeer,
        joins: list[float],
        content: bytes,
        pair: list[Keypair],
        ghost: Keypair,
        peers: list[SwarmPeer],
    ) -> list[_Viewer]:
        began = time.time()
        origin = self.origin.keypair.public_key
        viewers: list[_Viewer] = []
        for i, delay in enumerate(joins):
            self.stop.wait(max(0.0, began + delay - time.time()))
            key = Keypair.random()
            leecher = start_leecher(
                self.fixture,
                self.root / f"viewer{i}",
                connect_to=[seeder.endpoint],
                download_rate_limit=VIEWER_RATE,
            )
            peers.append(leecher)
            _register(http, key, [str(leecher.endpoint)])
            now = int(time.time())
            signer = ReceiptSigner(key, DEFAULT_PASSPHRASE)
            cheat = i == len(joins) - 1  # the last to join is the inflating cheater
            name = f"{self.index}/{'cheater' if cheat else f'viewer{i}'}"
            streams = {
                "bytes": _Stream(
                    name + ("/inflated" if cheat else "/bytes"),
                    "inflated_bytes" if cheat else "honest",
                    signer.bandwidth_session(origin, content, now),
                    signer,
                ),
            }
            if cheat:
                streams["ghost"] = _Stream(
                    name + "/ghost",
                    "absent_uploader",
                    signer.bandwidth_session(ghost.public_key, content, now),
                    signer,
                )
            else:
                streams["view"] = _Stream(
                    name + "/view", "honest", signer.viewing_session(content, now), signer
                )
            viewers.append(
                _Viewer(leecher, streams, time.time(), cheat, name, signer, key.public_key, content)
            )
        now = int(time.time())
        a, b = (ReceiptSigner(k, DEFAULT_PASSPHRASE) for k in pair)
        self.colluders = [
            _Stream(
                f"{self.index}/pair-a",
                "colluding_pair",
                a.bandwidth_session(pair[1].public_key, content, now),
                a,
            ),
            _Stream(
                f"{self.index}/pair-b",
                "colluding_pair",
                b.bandwidth_session(pair[0].public_key, content, now),
                b,
            ),
        ]
        idle = ReceiptSigner(Keypair.random(), DEFAULT_PASSPHRASE)
        self.idle_viewer = _Stream(
            f"{self.index}/no-bytes",
            "viewing_without_bytes",
            idle.viewing_session(content, now),
            idle,
        )
        self.cheats_began = time.time()
        self.inflate = self.rng.randint(*INFLATE)
        return viewers

    def _share(self, http: httpx.Client, seeder: SwarmPeer, viewers: list[_Viewer]) -> None:
        deadline = time.monotonic() + DEADLINE_S
        endpoint = str(seeder.endpoint)
        while True:
            honest_done = all(v.leecher.is_seeding() for v in viewers if not v.cheat)
            self._tick(http, endpoint, viewers)
            if honest_done or time.monotonic() > deadline or self.stop.is_set():
                return
            self.stop.wait(CADENCE_S)

    def _tick(self, http: httpx.Client, endpoint: str, viewers: list[_Viewer]) -> None:
        now = int(time.time())
        out = self.result.receipts
        first = len(out)
        wires: list[dict[str, Any] | None] = []
        for v in viewers:
            counters = v.leecher.payload_counters()
            got = max(counters.get(endpoint, (0, 0))[0], v.received)
            v.received = got
            if v.cheat:
                # all it received (the origin's bytes and the other viewers', over PEX)
                v.total = max(v.total, v.leecher.received_total(), got)
                claim = max(1, got * self.inflate)
                wires.append(v.streams["bytes"].sign(claim, got, now, out, v.total))
                wires.append(v.streams["ghost"].sign(got, 0, now, out))
                continue
            wires.append(v.streams["bytes"].sign(max(1, got), got, now, out))
            # seconds watched: never more than the time since joining, nor than the bytes
            # it signed for can play. Viewers also trade pieces with each other (PEX), but
            # an incoming loopback connection cannot be told apart by account, so those
            # bytes are not signed, and the viewer claims no seconds on them.
            seconds = min(int(time.time() - v.joined), got // BITRATE)
            wires.append(v.streams["view"].sign(seconds, seconds, now, out))
        fake = int((time.time() - self.cheats_began) * VIEWER_RATE)
        for stream in self.colluders:
            wires.append(stream.sign(max(1, fake), 0, now, out))
        watched = min(int(time.time() - self.cheats_began), self.fixture.size // BITRATE)
        wires.append(self.idle_viewer.sign(watched, 0, now, out))
        batch = [w for w in wires if w is not None]
        if not batch:
            return
        answer = http.post("/v1/receipts", json={"receipts": batch})
        answer.raise_for_status()
        for signed, result in zip(out[first:], answer.json()["results"], strict=True):
            signed.status = str(result.get("status", ""))
            signed.reason = str(result.get("reason") or "")


@dataclass
class _Viewer:
    leecher: SwarmPeer
    streams: dict[str, _Stream]
    joined: float
    cheat: bool
    name: str
    signer: ReceiptSigner
    account: str
    content: bytes
    received: int = 0  # bytes from the origin
    total: int = 0  # bytes from every peer (the inflating cheater's are scored against both)


def start_times(
    runs: int, concurrency: int, rng: random.Random, first: float, seconds: list[int] | None
) -> list[float]:
    """Wall-clock starts: ``concurrency`` scenarios per minute from ``first``, each at a
    uniformly random second of the minute (or, for the first ones, the given second)."""
    starts = []
    for i in range(runs):
        minute = first + 60 * (i // concurrency)
        if seconds and i < len(seconds):
            starts.append(minute + (seconds[i] - minute) % 60)
        else:
            starts.append(minute + rng.uniform(0, 60))
    return starts
