"""The peer SDK: build, sign and submit receipts (docs/protocol.md, "The Python peer SDK").

signer = ReceiptSigner(Keypair.from_secret(...), "Standalone Network ; February 2017")
session = signer.bandwidth_session(uploader="G...", content=bytes.fromhex(...),
                                   started_at=int(time.time()))
receipt = session.update(total=5_000_000, now=int(time.time()))
with NodeClient("http://127.0.0.1:8700") as node:
    results = node.submit([signer.wire(receipt)])
    assert all(succeeded(r) for r in results)
"""

from __future__ import annotations

import os
import warnings
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


# Per-receipt statuses that mean "the node has it counted: nothing more to send".
SUCCESS_STATUSES = frozenset({"accepted", "duplicate", "superseded"})


def succeeded(result: dict[str, Any]) -> bool:
    """True for a result of ``NodeClient.submit`` that needs no resend (see SUCCESS_STATUSES)."""
    return result.get("status") in SUCCESS_STATUSES


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

    def bandwidth_session(
        self,
        uploader: str,
        content: bytes | None = None,
        started_at: int | None = None,
        *,
        infohash: bytes | None = None,
    ) -> StreamSession:
        """Receipts this peer (the downloader) signs for bytes ``uploader`` delivered of
        ``content`` (the infohash). ``infohash=`` is the deprecated name of ``content``."""
        if infohash is not None:
            warnings.warn(
                "bandwidth_session(infohash=...) is deprecated; use content=...",
                DeprecationWarning,
                stacklevel=2,
            )
            if content is not None:
                raise TypeError("give content or infohash, not both")
            content = infohash
        if content is None or started_at is None:
            raise TypeError("bandwidth_session needs uploader, content and started_at")
        return StreamSession(self, Kind.BANDWIDTH, _key(uploader), content, started_at)

    def viewing_session(self, content: bytes, started_at: int) -> StreamSession:
        """Receipts this peer (the viewer) signs for seconds it watched ``content``."""
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
        """Sign the session's new cumulative ``total`` (bytes or seconds) in the window of
        ``now`` with the next sequence number."""
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
        """Submit wire receipts; returns the node's per-item results in input order.

        Raises NodeUnavailable when the node cannot be reached or refuses the whole
        request; resubmitting the same receipts then is safe (``succeeded``)."""
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
