"""Checks that need no database: network, window, bounds, physical plausibility.

Each check raises ``ReceiptError`` with the stable reason code peers see. They run
before the signature check because they are cheaper.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from servicelayer.receipts.model import WINDOW_SECONDS, Kind, Receipt, ReceiptError

_VIEWING = Kind.VIEWING  # a module global reads faster than an enum member


MAX_BYTES_PER_SECOND = 125_000_000
"""One stream's default ceiling (a generous link speed, 1 Gbit/s): ``[node]
max_bytes_per_second``."""


@dataclass(frozen=True, slots=True)
class IngestPolicy:
    network_id: bytes
    clock_skew_seconds: int
    retention_seconds: int
    max_bytes_per_second: int  # one stream's ceiling (a generous link speed)
    epoch_seconds: int = 3600


def check_stateless(r: Receipt, net_id: bytes, policy: IngestPolicy, now: int) -> None:
    if net_id != policy.network_id:
        raise ReceiptError("wrong_network", "signed for another Stellar network")
    window_start = r.window_start
    window_end = window_start + WINDOW_SECONDS
    if window_start % WINDOW_SECONDS:
        raise ReceiptError(
            "window_misaligned", f"window_start is not a multiple of {WINDOW_SECONDS}"
        )
    if window_start > now + policy.clock_skew_seconds:
        raise ReceiptError("window_in_future", "the window has not begun yet")
    if window_end < now - policy.retention_seconds:
        raise ReceiptError("window_expired", "the window is older than the node's retention")
    if r.started_at >= window_end:
        raise ReceiptError("session_not_started", "started_at is after the window")
    if r.kind is not _VIEWING and r.counterparty == r.signer:
        raise ReceiptError("self_attested", "signer and counterparty are the same account")
    check_rate(r.kind, r.amount, window_end - r.started_at, policy)


def check_rate(kind: Kind, amount: int, seconds: int, policy: IngestPolicy) -> None:
    """``amount`` could not have been reached in ``seconds`` by one stream."""
    check_growth(kind, amount, seconds, policy.max_bytes_per_second)


def check_growth(kind: Kind, amount: int, seconds: int, max_bytes_per_second: int) -> None:
    """``check_rate`` with the byte ceiling given alone (the epoch close uses it)."""
    per_second = 1 if kind is _VIEWING else max_bytes_per_second
    if amount > per_second * seconds:
        unit = "seconds watched" if kind is _VIEWING else "bytes"
        raise ReceiptError("implausible_rate", f"{amount} {unit} in at most {seconds} s")


def stream_key(r: Receipt) -> bytes:
    """Identity of the cumulative counter a receipt updates (started_at excluded)."""
    return hashlib.sha256(
        bytes((r.kind, len(r.content))) + r.signer + r.counterparty + r.content + r.session
    ).digest()
