"""Small ``make_*`` helpers for the verification tests: one swarm, one probe, honest numbers.

The reference swarm ``SWARM`` streams at ``BITRATE`` bytes/s with ``PIECE`` byte pieces,
so an honest viewer receives ``PER_WINDOW`` bytes (60 pieces) per 60 s window. The probe
``PROBE`` covers the first ten minutes of epoch 0.
"""

from __future__ import annotations

from servicelayer.verification.model import (
    BandwidthClaim,
    CdnClaim,
    ContentInfo,
    EpochInputs,
    PeerObservation,
    Registration,
    SwarmProbe,
    ViewerPayment,
    ViewingClaim,
)
from servicelayer.verification.reputation import Reputation

SWARM = "ih-swarm-1"
BITRATE = 100_000
PIECE = 100_000
PER_WINDOW = BITRATE * 60
PROBE = "probe-1"
PROBE_END = 600
EPOCH_SECONDS = 3600


def make_bw(
    rid: str,
    downloader: str = "D",
    uploader: str = "U",
    window: int = 0,
    delta: int = PER_WINDOW // 2,
    *,
    swarm: str = SWARM,
    session: str = "s1",
    started_at: int = 0,
    total: int | None = None,
) -> BandwidthClaim:
    return BandwidthClaim(
        receipt_id=rid,
        downloader=downloader,
        uploader=uploader,
        infohash=swarm,
        session=session,
        started_at=started_at,
        window_start=window,
        total_bytes=delta if total is None else total,
        delta_bytes=delta,
    )


def make_view(
    rid: str,
    viewer: str = "D",
    window: int = 0,
    seconds: int = 60,
    *,
    session: str = "v1",
    started_at: int = 0,
    total: int | None = None,
    content: str = SWARM,
) -> ViewingClaim:
    return ViewingClaim(
        rid,
        viewer,
        content,
        session,
        started_at,
        window,
        seconds if total is None else total,
        seconds,
    )


def make_cdn(rid: str, viewer: str = "D", window: int = 0, delta: int = PER_WINDOW) -> CdnClaim:
    return CdnClaim(rid, "CDN", viewer, SWARM, "c1", 0, window, delta, delta)


def growing_bitfield(per_window: int = 60, until: int = PROBE_END) -> tuple[tuple[int, int], ...]:
    """One sample per window boundary, ``per_window`` pieces more each time."""
    return tuple((t, (t // 60) * per_window) for t in range(0, until + 1, 60))


def make_obs(
    account: str | None,
    endpoint: str | None = None,
    *,
    answered: bool = True,
    served: int = 600_000,
    seconds: int = 60,
    bitfield: tuple[tuple[int, int], ...] = (),
    first_seen: int = 0,
    last_seen: int = PROBE_END,
) -> PeerObservation:
    return PeerObservation(
        endpoint=endpoint or f"host-{account}:6881",
        account=account,
        first_seen=first_seen,
        last_seen=last_seen,
        answered_handshake=answered,
        bytes_served=served if answered else 0,
        serve_seconds=seconds if answered else 0,
        bitfield=bitfield,
        hash_failures=0,
    )


def make_probe(
    *peers: PeerObservation, probe_id: str = PROBE, swarm: str = SWARM, bitrate: int | None = None
) -> SwarmProbe:
    return SwarmProbe(probe_id, swarm, 0, PROBE_END, PIECE, 1000, bitrate, tuple(peers))


def honest_probe() -> SwarmProbe:
    """U serves at 10 kB/s to the probe; D's bitfield grows one window of stream per window."""
    return make_probe(
        make_obs("U", "10.0.0.1:6881"),
        make_obs("D", "10.0.0.2:6881", served=0, bitfield=growing_bitfield()),
    )


def vetted(account: str) -> Reputation:
    return Reputation(account, 0, 0, passed_total=10, history=(True,) * 10)


def make_inputs(
    bandwidth: tuple[BandwidthClaim, ...] = (),
    *,
    viewing: tuple[ViewingClaim, ...] = (),
    cdn: tuple[CdnClaim, ...] = (),
    probes: tuple[SwarmProbe, ...] = (),
    registrations: tuple[Registration, ...] = (),
    reputations: tuple[Reputation, ...] | None = None,
    payments: tuple[ViewerPayment, ...] = (),
    bitrate: int | None = BITRATE,
) -> EpochInputs:
    if reputations is None:
        known = ("U", "U2", "U3", "D", "A", "B", "C", "X", "ORIGIN")
        reputations = tuple(vetted(a) for a in known)
    return EpochInputs(
        epoch=0,
        epoch_start=0,
        epoch_seconds=EPOCH_SECONDS,
        bandwidth=bandwidth,
        viewing=viewing,
        cdn=cdn,
        probes=probes,
        registrations=registrations,
        reputations=reputations,
        payments=payments,
        catalog=(ContentInfo(SWARM, bitrate),),
    )
