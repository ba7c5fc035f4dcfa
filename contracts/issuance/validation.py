"""Checks on a new asset definition."""

from __future__ import annotations

from contracts.common import is_account, is_asset, normalize_infohash
from contracts.core import is_valid_amount
from contracts.issuance.actions import ActionDefineAsset
from contracts.issuance.state import AssetKind, IssuanceState

MAX_PLAN_ID = 64


def is_grant(value: object) -> bool:
    """``content:<lowercase infohash>`` or ``plan:<id>`` (1-64 printable, no spaces)."""
    if type(value) is not str:
        return False
    if value.startswith("content:"):
        infohash = value.removeprefix("content:")
        return normalize_infohash(infohash) == infohash
    if value.startswith("plan:"):
        plan = value.removeprefix("plan:")
        return 1 <= len(plan) <= MAX_PLAN_ID and plan.isprintable() and " " not in plan
    return False


def define_error(state: IssuanceState, action: ActionDefineAsset) -> str | None:
    if not is_asset(action.asset) or action.asset.is_native:
        return "invalid_asset"
    if action.asset in state.assets:
        return "asset_exists"
    if not is_account(action.distribution):
        return "invalid_account"
    if action.distribution == action.asset.issuer:
        return "distribution_is_issuer"
    if not is_valid_amount(action.cap):
        return "invalid_cap"
    if action.kind not in tuple(AssetKind):
        return "invalid_kind"
    if action.kind == AssetKind.ACCESS and not is_grant(action.grants):
        return "invalid_grant"
    if action.kind == AssetKind.GOVERNANCE and action.grants != "":
        return "invalid_grant"
    if action.kind == AssetKind.GOVERNANCE and any(
        r.kind == AssetKind.GOVERNANCE for r in state.assets.values()
    ):
        return "governance_asset_exists"
    flags = (action.auth_required, action.revocable, action.clawback_enabled)
    if any(type(f) is not bool for f in flags):
        return "invalid_flags"
    if action.clawback_enabled and not action.revocable:
        return "clawback_requires_revocable"
    return None
