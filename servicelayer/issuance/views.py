"""Public read views of the issuance contract's assets (API, CLI, stellar.toml)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contracts.issuance import IssuanceState, IssuedAsset
from servicelayer.errors import NotFound
from servicelayer.runtime.runtime import ContractRuntime

CONTRACT = "issuance"


def issued_assets(runtime: ContractRuntime, session: Session) -> list[IssuedAsset]:
    """Every asset the contract defined, ordered by code then issuer."""
    state: IssuanceState = runtime.current(session, CONTRACT)[0]
    return [state.assets[k] for k in sorted(state.assets, key=lambda a: (a.code, a.issuer))]


def find_asset(state: IssuanceState, code: str) -> IssuedAsset | None:
    for key in sorted(state.assets, key=lambda a: a.issuer):
        if key.code == code:
            return state.assets[key]
    return None


def issued_asset(runtime: ContractRuntime, session: Session, code: str) -> IssuedAsset:
    found = find_asset(runtime.current(session, CONTRACT)[0], code)
    if found is None:
        raise NotFound(f"no asset with code {code!r}", code="unknown_asset")
    return found


def asset_json(asset: IssuedAsset) -> dict[str, Any]:
    """Amounts in integer stroops (1 unit = 10^7)."""
    return {
        "code": asset.asset.code,
        "issuer": asset.asset.issuer,
        "distribution": asset.distribution,
        "kind": asset.kind.value,
        "grants": asset.grants,
        "cap": asset.cap,
        "issued": asset.issued,
        "outstanding": asset.outstanding,
        "flags": {
            "auth_required": asset.flags.auth_required,
            "revocable": asset.flags.revocable,
            "clawback_enabled": asset.flags.clawback_enabled,
        },
        "locked": asset.locked,
    }
