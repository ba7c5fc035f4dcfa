"""A realistic, deterministic stream of signed receipts for the ingest benchmark.

Sessions of ``per_session`` receipts, two per window, among a fixed population of
downloaders and uploaders; windows lie in the recent past so every receipt is valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nacl.bindings import crypto_sign_seed_keypair

from servicelayer.receipts.codec import encode_body, to_wire
from servicelayer.receipts.model import WINDOW_SECONDS, Kind, Receipt
from servicelayer.receipts.signing import receipt_id, sign_raw


@dataclass(frozen=True, slots=True)
class Signed:
    public_key: bytes
    rid: bytes
    signature: bytes
    wire: dict[str, Any]


def _keys(label: bytes, count: int) -> list[tuple[bytes, bytes]]:
    out = []
    for i in range(count):
        public, secret = crypto_sign_seed_keypair(
            hashlib.sha256(label + i.to_bytes(4, "big")).digest()
        )
        out.append((secret[:32], public))
    return out


def receipts(
    count: int, net_id: bytes, now: int, *, per_session: int = 10, peers: int = 1000
) -> Iterator[Signed]:
    """``count`` signed receipts; the stream is the same for the same arguments."""
    downloaders, uploaders = _keys(b"down", peers), _keys(b"up", peers)
    window_now = now - now % WINDOW_SECONDS
    sessions = (count + per_session - 1) // per_session
    produced = 0
    for s in range(sessions):
        seed, public = downloaders[s % peers]
        uploader = uploaders[(s * 7 + 3) % peers][1]
        first_window = window_now - WINDOW_SECONDS * (per_session // 2 + 1 + s % 600)
        session = hashlib.sha256(s.to_bytes(8, "big")).digest()[:16]
        infohash = hashlib.sha1(b"video" + (s % 5000).to_bytes(4, "big")).digest()
        for n in range(1, per_session + 1):
            if produced == count:
                return
            receipt = Receipt(
                Kind.BANDWIDTH,
                public,
                n,
                session,
                first_window,
                first_window + WINDOW_SECONDS * ((n - 1) // 2),
                uploader,
                infohash,
                n * 1_000_000,
            )
            rid = receipt_id(net_id, encode_body(receipt))
            signature = sign_raw(seed, public, rid)
            yield Signed(public, rid, signature, to_wire(receipt, net_id, signature, rid))
            produced += 1
