"""Does a peer serve what it advertises? The probe asks it, alone, for one piece.

In a probe's observation the probe downloads its sampled pieces from whichever peers are
fastest; a rate-capped origin whose viewers already finished often serves it nothing, and
"served nothing" cannot tell a capped honest seeder from one that only advertises. So after
the observation, for a few named peers that answered but served nothing, the probe adds the
torrent again (its metadata now known) with no tracker, DHT, PEX or LSD, connects to that
one peer only, and, once the peer's bitfield is in, asks for one piece it advertises
(ranked from the probe's seed). Measured criterion (``SERVED``):

    the peer delivered at least ``BLOCK_BYTES`` (one 16 KiB request) of payload within the
    check, and no data it sent failed the hash check.

A rate-capped libtorrent seeder meets it at any cap above ~2 KiB/s within the default 15 s
(it unchokes a lone interested peer at once; its first block follows). ``REFUSED``: a
bitfield with pieces but under one block delivered; ``NO_BITFIELD``: it answered with no
piece; ``CORRUPT``: data failed the hash check; ``UNREACHABLE``: no handshake. A check
ends as soon as the piece is verified or ``CHECK_BYTES`` (256 KiB) arrived, so it costs
about min(piece size, 256 KiB) plus the requests in flight.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable

import libtorrent as lt

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import (
    CORRUPT,
    NO_BITFIELD,
    REFUSED,
    SERVED,
    UNREACHABLE,
    ServiceCheck,
)
from servicelayer.probes.probe import POLL_MS, TOP_PRIORITY, Clock, ProbeCancelled, ProbeSession
from servicelayer.probes.session import alert_kind

BLOCK_BYTES = 16 * 1024
CHECK_BYTES = 256 * 1024
"""A check ends once this much arrived (a piece up to this size is hash-checked whole)."""
_TAG = b"ACE-PROBE-SERVICE-V1\x00"
_NOT_ANSWERED = lt.peer_info.connecting | lt.peer_info.handshake


def _params(info: lt.torrent_info, save_path: str) -> lt.add_torrent_params:
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(info)
    params.save_path = save_path
    params.flags = (
        lt.torrent_flags.share_mode
        | lt.torrent_flags.disable_dht
        | lt.torrent_flags.disable_lsd
        | lt.torrent_flags.disable_pex
    )
    return params


def _pick(pieces: list[bool], seed: bytes, endpoint: Endpoint) -> int:
    have = [i for i, p in enumerate(pieces) if p]
    key = str(endpoint).encode()
    return min(
        have, key=lambda i: hashlib.sha256(_TAG + seed + key + i.to_bytes(4, "big")).digest()
    )


def check_service(
    session: ProbeSession,
    info: lt.torrent_info,
    endpoint: Endpoint,
    seconds: int,
    clock: Clock,
    *,
    piece_seed: bytes = b"",
    cancelled: Callable[[], bool] = lambda: False,
) -> ServiceCheck:
    """Ask ``endpoint`` alone for one piece it advertises, for at most ``seconds``; raises
    ``ProbeCancelled`` within one poll once ``cancelled()`` turns true."""
    with tempfile.TemporaryDirectory(prefix="ace-service-") as save_path:
        handle = session.add_torrent(_params(info, save_path))
        try:
            handle.replace_trackers([])
            return _check(session, handle, endpoint, seconds, clock, piece_seed, cancelled)
        finally:
            session.remove_torrent(handle)


def _check(
    session: ProbeSession,
    handle: lt.torrent_handle,
    endpoint: Endpoint,
    seconds: int,
    clock: Clock,
    seed: bytes,
    cancelled: Callable[[], bool],
) -> ServiceCheck:
    started_at, start_ms = clock.wall_seconds(), clock.monotonic_ms()
    deadline = start_ms + seconds * 1000
    answered = unchoked = verified = False
    advertised, piece, first_byte, down, fails = 0, -1, -1, 0, 0
    last_connect = -10_000
    while (now := clock.monotonic_ms()) < deadline:
        if cancelled():
            raise ProbeCancelled("the service check was cancelled")
        info = _peer(handle, endpoint)
        if info is None and now - last_connect >= 5000:
            handle.connect_peer(endpoint.as_tuple())
            last_connect = now
        for alert in session.wait_alerts(min(POLL_MS, deadline - now)):
            kind = alert_kind(alert)
            if issubclass(kind, lt.hash_failed_alert) and getattr(alert, "handle", None) == handle:
                fails += 1
        if info is None or info.flags & _NOT_ANSWERED:
            continue
        answered = True
        pieces = [bool(p) for p in info.pieces]
        advertised = max(advertised, sum(pieces))
        if piece < 0 and any(pieces):
            piece = _pick(pieces, seed, endpoint)
            handle.piece_priority(piece, TOP_PRIORITY)
        if not info.flags & lt.peer_info.remote_choked:
            unchoked = unchoked or piece >= 0
        got = int(info.total_download)
        if got > down:
            down = got
            if first_byte < 0:
                first_byte = clock.monotonic_ms() - start_ms
        fails = max(fails, int(info.num_hashfails))
        status = handle.status()
        verified = piece >= 0 and piece < len(status.pieces) and bool(status.pieces[piece])
        if verified or fails or down >= CHECK_BYTES:
            break
    down = max(down, int(handle.status().total_payload_download))
    result = _result(answered, advertised, down, fails)
    return ServiceCheck(
        endpoint=str(endpoint),
        started_at=started_at,
        elapsed_ms=clock.monotonic_ms() - start_ms,
        advertised=advertised,
        piece=piece,
        unchoked=unchoked,
        first_byte_ms=first_byte,
        payload_down=down,
        verified=verified,
        hash_failures=fails,
        result=result,
    )


def _result(answered: bool, advertised: int, down: int, fails: int) -> str:
    if not answered:
        return UNREACHABLE
    if fails:
        return CORRUPT
    if advertised == 0:
        return NO_BITFIELD
    return SERVED if down >= BLOCK_BYTES else REFUSED


def _peer(handle: lt.torrent_handle, endpoint: Endpoint) -> lt.peer_info | None:
    for info in handle.get_peer_info():
        ip = info.ip
        if isinstance(ip, tuple) and Endpoint(str(ip[0]), int(ip[1])) == endpoint:
            return info
    return None
