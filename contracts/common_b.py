"""Helpers shared by the rewards, moderation, catalog and issuance contracts.

Pure standard library: account-id validation (Stellar strkey, with its CRC16
checksum), the largest-remainder split used for every proportional payout, and the
``SendPayout`` effect several contracts emit.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard

from contracts.core import MAX_AMOUNT, Asset, Event

BPS = 10_000  # basis points in a whole
_ACCOUNT_VERSION_BYTE = 6 << 3  # strkey version byte of an ed25519 public key ("G...")


def _crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def is_account_id(value: object) -> bool:
    """A Stellar account id (``G...``, 56 characters) with a valid checksum."""
    if type(value) is not str or len(value) != 56 or not value.startswith("G"):
        return False
    try:
        raw = base64.b32decode(value, casefold=False)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 35 or raw[0] != _ACCOUNT_VERSION_BYTE:
        return False
    return int.from_bytes(raw[33:], "little") == _crc16_xmodem(raw[:33])


def is_asset(value: object) -> TypeGuard[Asset]:
    """A well-formed ``Asset``: native, or a 1-12 character code with an issuer account."""
    if not isinstance(value, Asset):
        return False
    if value.is_native:
        return value == Asset("XLM")
    code = value.code
    return (
        type(code) is str
        and 1 <= len(code) <= 12
        and code.isascii()
        and code.isalnum()
        and is_account_id(value.issuer)
    )


_HEX = frozenset("0123456789abcdef")


def normalize_infohash(value: object) -> str | None:
    """Lowercase hex of a v1 (40) or v2 (64 characters) infohash, or None if invalid."""
    if type(value) is not str or len(value) not in (40, 64):
        return None
    lowered = value.lower()
    return lowered if all(c in _HEX for c in lowered) else None


def is_hex32(value: object) -> bool:
    """64 lowercase hex characters (a SHA-256 digest)."""
    return type(value) is str and len(value) == 64 and all(c in _HEX for c in value)


def is_nonneg_int(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_AMOUNT


def is_bps(value: object) -> bool:
    return type(value) is int and 0 <= value <= BPS


def bps_of(amount: int, bps: int) -> int:
    """``amount * bps / 10000`` rounded down (the remainder is the caller's dust)."""
    return amount * bps // BPS


def largest_remainder(
    total: int, weights: Iterable[tuple[str, int]]
) -> tuple[tuple[str, int], ...]:
    """Split ``total`` in proportion to ``weights``, exactly.

    Each key first gets ``floor(total * w / W)``; the units left over (fewer than the
    number of keys) go one each to the largest remainders, ties broken by the key in
    ascending string order. The shares sum to ``total`` whenever some weight is
    positive; with no positive weight nothing is allocated and the result is empty.
    Zero shares are omitted; the result is sorted by key.
    """
    positive = sorted((k, w) for k, w in weights if w > 0)
    weight_sum = sum(w for _, w in positive)
    if total <= 0 or weight_sum == 0:
        return ()
    shares: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in positive:
        share, rem = divmod(total * weight, weight_sum)
        shares[key] = share
        remainders.append((rem, key))
    left = total - sum(shares.values())
    remainders.sort(key=lambda rk: (-rk[0], rk[1]))
    for _, key in remainders[:left]:
        shares[key] += 1
    return tuple((k, shares[k]) for k in sorted(shares) if shares[k] > 0)


@dataclass(frozen=True, slots=True)
class SendPayout(Event):
    """Effect: pay ``amount`` stroops of ``asset`` to ``account`` from the treasury.

    ``reference`` is unique per payout; the service layer reports back with it
    (``ReceivePayoutSettled`` / ``ReceivePayoutFailed`` where the contract tracks it).
    """

    account: str
    asset: Asset
    amount: int
    reference: str
