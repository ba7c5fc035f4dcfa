"""A signed transaction as the node keeps and submits it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignedTx:
    """A signed envelope: its hash (hex), its XDR (base64) and the source account's
    sequence number it uses. Kept before it is submitted, so a crash between signing and
    submitting resubmits these same bytes (the same hash) instead of signing again."""

    hash: str
    xdr: str
    sequence: int
