"""Money at the node's edge to Stellar: amounts as integer stroops, assets, one way each.

Stellar amounts are int64 stroops; Horizon and people write them as decimals with at most
seven places (``"12.3400000"``). Nothing on a money path is a float: text becomes stroops
here, exactly, and stroops become text here. Assets are ``native`` or ``CODE:ISSUER`` as
text, ``contracts.core.Asset`` inside the contracts and ``stellar_sdk.Asset`` in XDR.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stellar_sdk import Asset as SdkAsset
from stellar_sdk import StrKey

from contracts.core import MAX_AMOUNT, NATIVE, STROOPS_PER_UNIT, Asset
from servicelayer.errors import InvalidInput, LedgerUnavailable

__all__ = [
    "MAX_AMOUNT",
    "NATIVE",
    "NATIVE_TEXT",
    "STROOPS_PER_UNIT",
    "asset_from_text",
    "format_amount",
    "horizon_stroops",
    "sdk_asset",
    "to_stroops",
]

NATIVE_TEXT = "native"
_DECIMAL = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,7}))?")
_CODE = re.compile(r"[A-Za-z0-9]{1,12}")


def to_stroops(text: object) -> int | None:
    """A decimal amount with at most seven places (``"12.34"``, ``"0.0000001"``) as
    stroops, exactly; None for anything else, or above Stellar's int64 ceiling."""
    if type(text) is not str:
        return None
    match = _DECIMAL.fullmatch(text)
    if match is None:
        return None
    whole, frac = match.group(1), match.group(2) or ""
    value = int(whole) * STROOPS_PER_UNIT + int(frac.ljust(7, "0"))
    return value if value <= MAX_AMOUNT else None


def horizon_stroops(value: object, what: str) -> int:
    """An amount Horizon sent, as stroops; LedgerUnavailable (the answer is unusable, the
    caller retries) when it is malformed."""
    stroops = to_stroops(value)
    if stroops is None:
        raise LedgerUnavailable(f"Horizon sent a malformed amount for {what}: {value!r:.40}")
    return stroops


def format_amount(stroops: int) -> str:
    """Stroops as Stellar's seven-decimal string (``1`` -> ``"0.0000001"``)."""
    sign = "-" if stroops < 0 else ""
    whole, frac = divmod(abs(stroops), STROOPS_PER_UNIT)
    return f"{sign}{whole}.{frac:07d}"


def asset_from_text(text: str) -> Asset:
    """``XLM`` or ``native`` for lumens, else ``CODE:ISSUER`` with a valid code (1-12
    letters and digits) and issuer account; ``invalid_asset`` otherwise."""
    value = text.strip()
    if value.lower() in (NATIVE_TEXT, "xlm"):
        return NATIVE
    code, sep, issuer = value.partition(":")
    if not sep or not _CODE.fullmatch(code) or not StrKey.is_valid_ed25519_public_key(issuer):
        raise InvalidInput("asset must be XLM, native or CODE:ISSUER", code="invalid_asset")
    return Asset(code, issuer)


@lru_cache(maxsize=256)
def sdk_asset(asset: Asset | str) -> SdkAsset:
    """The stellar-sdk asset for XDR, from an Asset or its text."""
    parsed = asset_from_text(asset) if isinstance(asset, str) else asset
    return SdkAsset.native() if parsed.is_native else SdkAsset(parsed.code, parsed.issuer)
