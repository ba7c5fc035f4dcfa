"""Helpers shared by the contracts.

Validation of external identifiers (Stellar accounts, content ids, assets), the
``Entitlement`` answer of the entitlement queries, the payout effects, and the exact
integer splits with a deterministic remainder rule. Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard

from contracts.core import MAX_AMOUNT, Action, Asset, Event, is_valid_amount

BPS = 10_000  # basis points in a whole

ACCOUNT_VERSION_BYTE = 6 << 3  # strkey version byte of an ed25519 public key ("G...")
_ID_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_HEX_RE = re.compile(r"[0-9a-f]+")
_ASSET_CODE_RE = re.compile(r"[A-Za-z0-9]{1,12}")


def _crc16_xmodem(data: bytes) -> int:
    # CRC-16/XMODEM (polynomial 0x1021, initial value 0): the strkey checksum
    return binascii.crc_hqx(data, 0)


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


def is_asset(value: object) -> TypeGuard[Asset]:
    """A well-formed Stellar asset: native XLM, or a 1-12 character code with an issuer."""
    if type(value) is not Asset:
        return False
    if value.is_native:
        return value.code == "XLM"
    return (
        type(value.code) is str
        and _ASSET_CODE_RE.fullmatch(value.code) is not None
        and is_account(value.issuer)
    )


def is_reference(value: object) -> bool:
    """An external reference (payment id, tx hash, session): 1-128 printable ASCII, no space."""
    return (
        type(value) is str
        and 1 <= len(value) <= 128
        and value.isascii()
        and value.isprintable()
        and " " not in value
    )


def payment_problem(
    account: object, asset: object, amount: object, reference: object
) -> str | None:
    """The stable code refusing a payment observed on Stellar, or None when it is well formed."""
    if not is_account(account):
        return "invalid_account"
    if not is_asset(asset):
        return "invalid_asset"
    if not is_valid_amount(amount):
        return "invalid_amount"
    if not is_reference(reference):
        return "invalid_reference"
    return None


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
class ReceiveContentRelisted(Action):
    """A won appeal restored a delisted content id: entitlements to it count again."""

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

    As ``largest_remainder``, except that when every weight is zero the split is equal,
    and every key appears in the result (with 0 where it gets nothing). Keys must be
    distinct; the result is sorted by key.
    """
    keys = sorted(k for k, _ in weights)
    if all(w == 0 for _, w in weights):
        weights = tuple((k, 1) for k in keys)
    shares = dict(largest_remainder(total, weights))
    return tuple((k, shares.get(k, 0)) for k in keys)


def normalize_infohash(value: object) -> str | None:
    """Lowercase hex of a v1 (40) or v2 (64 characters) infohash, or None if invalid."""
    if type(value) is not str:
        return None
    lowered = value.lower()
    return lowered if is_content_id(lowered) else None


def is_hex32(value: object) -> bool:
    """64 lowercase hex characters (a SHA-256 digest)."""
    return type(value) is str and len(value) == 64 and _HEX_RE.fullmatch(value) is not None


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
