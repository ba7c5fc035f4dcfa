"""The rendered stellar.toml is TOML that stellar-sdk's SEP-1 reader (tomllib) accepts."""

from __future__ import annotations

import tomllib

from stellar_sdk import Keypair

from contracts.core import Asset
from contracts.issuance import AssetFlags, AssetKind, IssuedAsset
from servicelayer.issuance.stellar_toml import NodeInfo, render


def make_asset(code: str, cap: int, *, locked: bool = False, **flags: bool) -> IssuedAsset:
    return IssuedAsset(
        Asset(code, Keypair.random().public_key),
        Keypair.random().public_key,
        AssetKind.ACCESS,
        'content:"quoted"\\ünï',
        cap,
        AssetFlags(**flags),
        issued=cap if locked else 0,
        locked=locked,
    )


def test_strings_are_escaped_and_supply_is_in_whole_tokens() -> None:
    node = NodeInfo('Net "work" ; ünï', "http://127.0.0.1:8701", Keypair.random().public_key,
                    "http://node/v1/auth")  # fmt: skip
    fixed = make_asset("FIXED", 5 * 10**7, locked=True, revocable=True, clawback_enabled=True)
    capped = make_asset("CAPPED", 7 * 10**7)
    odd = make_asset("ODD", 10**7 + 1)
    treasury = Keypair.random().public_key

    parsed = tomllib.loads(render(node, [treasury, fixed.asset.issuer], [fixed, capped, odd]))

    assert parsed["NETWORK_PASSPHRASE"] == 'Net "work" ; ünï'
    assert parsed["ACCOUNTS"] == [
        treasury, fixed.asset.issuer, capped.asset.issuer, odd.asset.issuer
    ]  # fmt: skip
    by_code = {c["code"]: c for c in parsed["CURRENCIES"]}
    assert by_code["FIXED"]["fixed_number"] == 5 and "max_number" not in by_code["FIXED"]
    assert by_code["CAPPED"]["max_number"] == 7 and "fixed_number" not in by_code["CAPPED"]
    assert "max_number" not in by_code["ODD"]  # not a whole number of tokens
    assert 'content:"quoted"\\ünï' in by_code["ODD"]["desc"]
    assert "CLAWBACK_ENABLED" in by_code["FIXED"]["conditions"]
    assert "conditions" not in by_code["CAPPED"]
