"""The peer SDK: build, sign and submit receipts.

signer = ReceiptSigner(Keypair.from_secret(...), "Standalone Network ; February 2017")
session = signer.bandwidth_session(uploader="G...", infohash=bytes.fromhex(...),
                                   started_at=int(time.time()))
receipt = session.update(total_bytes=5_000_000, now=int(time.time()))
with NodeClient("http://127.0.0.1:8700") as node:
    print(node.submit([receipt]))
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx
from stellar_sdk import Keypair, StrKey

from servicelayer.errors import InvalidInput, ServiceLayerError
from servicelayer.receipts.codec import to_wire
from servicelayer.receipts.model import (
    NO_COUNTERPARTY,
    SESSION_BYTES,
    WINDOW_SECONDS,
    Kind,
    Receipt,
    SignedReceipt,
)
from servicelayer.receipts.signing import network_id, sign


class NodeUnavailable(ServiceLayerError):
    code = "node_unavailable"


def window_of(now: int) -> int:
    """The canonical window that contains the unix time ``now``."""
    return now - now % WINDOW_SECONDS


@dataclass
class ReceiptSigner:
    keypair: Keypair
    network_passphrase: str
    network_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.network_id = network_id(self.network_passphrase)

    @property
    def account(self) -> str:
        return self.keypair.public_key

    def sign(self, receipt: Receipt) -> SignedReceipt:
        return sign(receipt, self.keypair, self.network_id)

    def wire(self, signed: SignedReceipt) -> dict[str, Any]:
        return to_wire(signed.receipt, self.network_id, signed.signature, signed.id)

    def bandwidth_session(self, uploader: str, infohash: bytes, started_at: int) -> StreamSession:
        """Receipts this peer (the downloader) signs for bytes ``uploader`` delivered."""
        return StreamSession(self, Kind.BANDWIDTH, _key(uploader), infohash, started_at)

    def viewing_session(self, content: bytes, started_at: int) -> StreamSession:
        return StreamSession(self, Kind.VIEWING, NO_COUNTERPARTY, content, started_at)

    def cdn_session(self, viewer: str, content: bytes, started_at: int) -> StreamSession:
        """Receipts a CDN edge operator signs for bytes served to ``viewer``."""
        return StreamSession(self, Kind.CDN, _key(viewer), content, started_at)


@dataclass
class StreamSession:
    """One cumulative counter; each update signs the new total with the next sequence."""

    signer: ReceiptSigner
    kind: Kind
    counterparty: bytes
    content: bytes
    started_at: int
    session: bytes = field(default_factory=lambda: os.urandom(SESSION_BYTES))
    seq: int = 0

    def update(self, total: int, now: int) -> SignedReceipt:
        self.seq += 1
        receipt = Receipt(
            kind=self.kind,
            signer=self.signer.keypair.raw_public_key(),
            seq=self.seq,
            session=self.session,
            started_at=self.started_at,
            window_start=window_of(now),
            counterparty=self.counterparty,
            content=self.content,
            amount=total,
        )
        return self.signer.sign(receipt)


class NodeClient:
    """Submits receipts to a node's ``POST /v1/receipts``."""

    def __init__(
        self, base_url: str, *, timeout: float = 30.0, client: httpx.Client | None = None
    ) -> None:
        self._client = client or httpx.Client(base_url=base_url, timeout=timeout)

    def __enter__(self) -> NodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def submit(self, receipts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Submit wire receipts; returns the node's per-item results in input order."""
        try:
            response = self._client.post("/v1/receipts", json={"receipts": receipts})
        except httpx.HTTPError as exc:
            raise NodeUnavailable(f"cannot reach the node: {exc}") from None
        if response.status_code != 200:
            raise NodeUnavailable(f"node answered {response.status_code}: {response.text[:200]}")
        results: list[dict[str, Any]] = response.json()["results"]
        return results


def _key(account: str) -> bytes:
    if not StrKey.is_valid_ed25519_public_key(account):
        raise InvalidInput(f"not a Stellar account: {account!r}")
    return StrKey.decode_ed25519_public_key(account)
