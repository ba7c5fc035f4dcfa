"""Amounts and assets at the edge to Stellar (servicelayer/ledger/money.py): exact, one way."""

from __future__ import annotations

import pytest
from stellar_sdk import Asset as SdkAsset
from stellar_sdk import Keypair

from contracts.core import NATIVE, Asset
from servicelayer.errors import InvalidInput, LedgerUnavailable
from servicelayer.ledger.money import (
    MAX_AMOUNT,
    asset_from_text,
    format_amount,
    horizon_stroops,
    sdk_asset,
    to_stroops,
)

ISSUER = Keypair.random().public_key


@pytest.mark.parametrize(
    ("text", "stroops"),
    [
        ("12.3400000", 123_400_000),  # how Horizon writes it
        ("12.34", 123_400_000),
        ("0.0000001", 1),
        ("0", 0),
        ("922337203685.4775807", MAX_AMOUNT),
    ],
)
def test_decimal_text_becomes_exact_stroops_and_back(text: str, stroops: int) -> None:
    assert to_stroops(text) == stroops
    assert to_stroops(format_amount(stroops)) == stroops


@pytest.mark.parametrize(
    "bad",
    ["922337203685.4775808", "1.00000001", "-1", "1e7", " 1", "1.", ".5", "", "NaN", 12, None, 1.5],
)
def test_anything_else_is_no_amount(bad: object) -> None:
    assert to_stroops(bad) is None
    with pytest.raises(LedgerUnavailable):
        horizon_stroops(bad, "a balance")


def test_format_amount_is_seven_decimals_with_a_sign() -> None:
    assert format_amount(0) == "0.0000000"
    assert format_amount(1) == "0.0000001"
    assert format_amount(10**18) == "100000000000.0000000"  # all the lumens
    assert format_amount(25_000_000) == "2.5000000"
    assert format_amount(-3) == "-0.0000003"


def test_assets_from_text() -> None:
    assert asset_from_text("XLM") == NATIVE == asset_from_text(" native ")
    assert asset_from_text(f"GOLD:{ISSUER}") == Asset("GOLD", ISSUER)
    assert str(asset_from_text(f"GOLD:{ISSUER}")) == f"GOLD:{ISSUER}"
    for bad in ("GOLD", f"GOLD:{ISSUER[:-1]}", f":{ISSUER}", f"TOOLONGCODE13:{ISSUER}", "G-1:x"):
        with pytest.raises(InvalidInput) as caught:
            asset_from_text(bad)
        assert caught.value.code == "invalid_asset"


def test_sdk_assets_for_xdr() -> None:
    assert sdk_asset(NATIVE) == SdkAsset.native() == sdk_asset("native")
    assert (
        sdk_asset(f"GOLD:{ISSUER}") == SdkAsset("GOLD", ISSUER) == sdk_asset(Asset("GOLD", ISSUER))
    )
