"""The demo's swarms: real libtorrent sessions on loopback sharing generated videos.

Each video has an origin seeder run by a peer (an uploader that earns bandwidth rewards);
viewers download it, and every few seconds sign cumulative receipts from libtorrent's
own payload counters: bytes received from the uploader (bandwidth) and seconds watched
(viewing). Everyone registers its endpoint with the node first, so the node's probes
can tell whose peer they see when they join the swarm.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from node.demo.actors import Actor
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner, StreamSession
from testnet.swarm import (
    KiB,
    MiB,
    SwarmPeer,
    TorrentFixture,
    make_torrent_fixture,
    start_leecher,
    start_seeder,
)

BITRATE = 32 * KiB  # bytes per second of the generated "video" (announced in the catalog)
SIZE = 1 * MiB  # 32 s of video
UPLOAD_LIMIT = 96 * KiB  # the origin's upload cap: the viewers stream for ~20 s


def make_video(directory: Path, title: str) -> TorrentFixture:
    return make_torrent_fixture(
        directory, size=SIZE, piece_size=16 * KiB, name=f"{title}.mp4", seed=title.encode()
    )


@dataclass
class Viewing:
    """One viewer's sessions on one video: what it signed."""

    viewer: Actor
    leecher: SwarmPeer
    bandwidth: StreamSession
    watching: StreamSession
    started: float
    receipts: list[dict[str, Any]] = field(default_factory=list)
    received: int = 0  # bytes from the uploader, as libtorrent counted them
    seconds: int = 0  # seconds watched


@dataclass
class Swarm:
    title: str
    fixture: TorrentFixture
    uploader: Actor
    seeder: SwarmPeer
    viewings: list[Viewing] = field(default_factory=list)

    @property
    def infohash(self) -> bytes:
        return bytes.fromhex(self.fixture.infohash)


def register(swarms: list[Swarm]) -> None:
    """Each peer's signed claim to its swarm endpoints (docs/registration.md)."""
    endpoints: dict[str, tuple[Actor, list[str]]] = {}
    for swarm in swarms:
        peers = [(swarm.uploader, swarm.seeder)]
        peers += [(v.viewer, v.leecher) for v in swarm.viewings]
        for actor, peer in peers:
            endpoints.setdefault(actor.account, (actor, []))[1].append(str(peer.endpoint))
    now = int(time.time())
    for actor, mine in endpoints.values():
        net = network_id(actor.network.passphrase)
        reg = build_registration(actor.account, seq=1, valid_until=now + 3600, endpoints=mine)
        body = to_json(sign_registration(reg, actor.keypair, net), net)
        answer = httpx.post(f"{actor.network.node_url}/v1/registrations", json=body, timeout=30)
        answer.raise_for_status()


def start_swarm(title: str, fixture: TorrentFixture, uploader: Actor) -> Swarm:
    seeder = start_seeder(fixture, upload_rate_limit=UPLOAD_LIMIT)
    return Swarm(title, fixture, uploader, seeder)


def join(swarm: Swarm, viewer: Actor, workdir: Path) -> Viewing:
    """The viewer joins; its first receipt names the swarm (which is how the node learns
    to probe it)."""
    leecher = start_leecher(
        swarm.fixture, workdir / f"{viewer.name}-{swarm.title}", connect_to=[swarm.seeder.endpoint]
    )
    now = int(time.time())
    signer = ReceiptSigner(viewer.keypair, viewer.network.passphrase)
    viewing = Viewing(
        viewer,
        leecher,
        signer.bandwidth_session(swarm.uploader.account, swarm.infohash, now),
        signer.viewing_session(swarm.infohash, now),
        time.time(),
    )
    viewing.receipts.append(signer.wire(viewing.bandwidth.update(1, now)))
    viewing.received = 1
    swarm.viewings.append(viewing)
    return viewing


def sign_progress(swarm: Swarm, viewing: Viewing) -> list[dict[str, Any]]:
    """Receipts for what libtorrent counted so far: bytes from the uploader, seconds
    watched (never more than the time since joining, nor than the bytes can play)."""
    now = int(time.time())
    signer = viewing.bandwidth.signer
    received = viewing.leecher.payload_counters().get(str(swarm.seeder.endpoint), (0, 0))[0]
    playable = received // BITRATE
    seconds = min(int(time.time() - viewing.started), playable)
    received = max(received, viewing.received, 1)
    fresh = []
    if received > viewing.received:
        fresh.append(signer.wire(viewing.bandwidth.update(received, now)))
    if seconds > viewing.seconds:
        fresh.append(signer.wire(viewing.watching.update(seconds, now)))
    viewing.received, viewing.seconds = received, max(seconds, viewing.seconds)
    viewing.receipts += fresh
    return fresh


def close(swarms: list[Swarm]) -> None:
    for swarm in swarms:
        for viewing in swarm.viewings:
            viewing.leecher.close()
        swarm.seeder.close()
