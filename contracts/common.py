"""Small helpers shared by the commerce contracts (subscriptions, access, billing).

Validation of external identifiers (Stellar accounts, content ids, assets), the
``Entitlement`` answer of the entitlement queries, the effects every contract that
pays providers or refunds viewers emits, and an exact integer split with a
deterministic remainder rule. Standard library only.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from contracts.core import Action, Asset, Event

ACCOUNT_VERSION_BYTE = 6 << 3  # strkey version byte of an ed25519 public key ("G...")
_ID_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_HEX_RE = re.compile(r"[0-9a-f]+")
_ASSET_CODE_RE = re.compile(r"[A-Za-z0-9]{1,12}")


def _crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def is_account(value: object) -> bool:
    """A Stellar account id: a 56-character ``G...`` strkey with a valid checksum."""
    if type(value) is not str or len(value) != 56 or not value.startswith("G"):
        return False
    try:
        raw = base64.b32decode(value)
    except ValueError:
        return False
    if len(raw) != 35 or raw[0] != ACCOUNT_VERSION_BYTE:
        return False
    return int.from_bytes(raw[33:], "little") == _crc16_xmodem(raw[:33])


def is_content_id(value: object) -> bool:
    """A torrent infohash in lower-case hex: 40 characters (v1) or 64 (v2)."""
    return type(value) is str and len(value) in (40, 64) and _HEX_RE.fullmatch(value) is not None


def is_identifier(value: object) -> bool:
    """A short id chosen by a user (plan, bundle, channel, session): 1-64 safe characters."""
    return type(value) is str and _ID_RE.fullmatch(value) is not None


def is_asset(value: object) -> bool:
    """A well-formed Stellar asset: native XLM, or a 1-12 character code with an issuer."""
    if type(value) is not Asset:
        return False
    if value.is_native:
        return value.code == "XLM"
    return _ASSET_CODE_RE.fullmatch(value.code) is not None and is_account(value.issuer)


def is_reference(value: object) -> bool:
    """An external reference (payment id, tx hash, session): 1-128 printable ASCII, no space."""
    return (
        type(value) is str
        and 1 <= len(value) <= 128
        and value.isascii()
        and value.isprintable()
        and " " not in value
    )


def is_int_in(value: object, low: int, high: int) -> bool:
    """An ``int`` (not a bool) with ``low <= value <= high``."""
    return type(value) is int and low <= value <= high


@dataclass(frozen=True, slots=True)
class Entitlement:
    """The answer to "may this account watch this content now, and if not why not".

    ``until`` is the unix time the permission lasts to (exclusive), or None when it has
    no fixed end (e.g. a prepaid balance) or when access is refused.
    """

    allowed: bool
    reason: str
    until: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiveContentDelisted(Action):
    """The moderation contract delisted a content (or a channel) id."""

    content: str


@dataclass(frozen=True, slots=True)
class SendProviderRevenue(Event):
    """Pay ``amount`` stroops of ``asset`` to a provider; ``reference`` is unique per payout."""

    provider: str
    asset: Asset
    amount: int
    reference: str


@dataclass(frozen=True, slots=True)
class SendRefund(Event):
    """Return ``amount`` stroops of ``asset`` to a viewer's account."""

    account: str
    asset: Asset
    amount: int
    reference: str


def split_exact(total: int, weights: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Split ``total`` in proportion to ``weights``; the shares sum exactly to ``total``.

    Each key gets ``floor(total * w / W)``; the stroops left over go one each to the keys
    with the largest remainders ``total * w mod W``, ties broken by the key string
    (ascending). If every weight is zero the split is equal. Keys must be distinct;
    the result is sorted by key.
    """
    keys = sorted(weights)
    if not keys:
        return ()
    if sum(w for _, w in keys) == 0:
        keys = [(k, 1) for k, _ in keys]
    denominator = sum(w for _, w in keys)
    shares = {k: total * w // denominator for k, w in keys}
    left = total - sum(shares.values())
    ranked = sorted(keys, key=lambda kw: (-(total * kw[1] % denominator), kw[0]))
    for key, _ in ranked[:left]:
        shares[key] += 1
    return tuple((k, shares[k]) for k, _ in keys)
