"""The node's SEP-1 ``stellar.toml``: its network, accounts, signing key and assets.

Rendered by hand (TOML has no writer in the standard library): every string goes
through ``json.dumps``, whose ASCII escapes are valid TOML basic-string escapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.issuance import AssetKind, IssuedAsset
from servicelayer.dao.keys import ROLES, DaoKeys
from servicelayer.ledger.money import STROOPS_PER_UNIT

SEP1_VERSION = "2.7.0"


@dataclass(frozen=True, slots=True)
class NodeInfo:
    network_passphrase: str
    horizon_url: str
    signing_key: str  # the node key (SEP-10 challenges are signed with it)
    web_auth_endpoint: str


def dao_accounts(keys: DaoKeys) -> list[str]:
    """The public keys of the DAO accounts whose key files exist (bootstrap ran)."""
    return [keys.public(role) for role in ROLES if keys.path(role).exists()]


def render(node: NodeInfo, accounts: Sequence[str], assets: Sequence[IssuedAsset]) -> str:
    every = [*accounts, *(a.asset.issuer for a in assets)]
    lines = [
        f"VERSION = {_s(SEP1_VERSION)}",
        f"NETWORK_PASSPHRASE = {_s(node.network_passphrase)}",
        f"HORIZON_URL = {_s(node.horizon_url)}",
        f"SIGNING_KEY = {_s(node.signing_key)}",
        f"WEB_AUTH_ENDPOINT = {_s(node.web_auth_endpoint)}",
        "ACCOUNTS = [" + ", ".join(_s(a) for a in dict.fromkeys(every)) + "]",
    ]
    for asset in assets:
        lines += ["", *_currency(asset)]
    return "\n".join(lines) + "\n"


def _currency(asset: IssuedAsset) -> list[str]:
    lines = [
        "[[CURRENCIES]]",
        f"code = {_s(asset.asset.code)}",
        f"issuer = {_s(asset.asset.issuer)}",
        'status = "live"',
        "display_decimals = 7",
        f"name = {_s(_name(asset))}",
        f"desc = {_s(_desc(asset))}",
        "is_asset_anchored = false",
        "is_unlimited = false",
    ]
    whole, frac = divmod(asset.cap, STROOPS_PER_UNIT)
    if not frac:  # SEP-1's counts are whole tokens
        lines.append(f"{'fixed_number' if asset.locked else 'max_number'} = {whole}")
    if asset.flags.auth_required or asset.flags.revocable or asset.flags.clawback_enabled:
        lines.append(f"conditions = {_s(_conditions(asset))}")
    return lines


def _name(asset: IssuedAsset) -> str:
    if asset.kind == AssetKind.GOVERNANCE:
        return "Ace network governance token"
    return "Ace content-access token"


def _desc(asset: IssuedAsset) -> str:
    cap = f"supply cap {asset.cap} stroops"
    if asset.kind == AssetKind.GOVERNANCE:
        text = f"Votes in the Ace DAO; {cap}"
    else:
        text = f"Grants access to {asset.grants}; {cap}"
    return text + ("; issuer locked, fixed supply" if asset.locked else "")


def _conditions(asset: IssuedAsset) -> str:
    flags = [
        name
        for name, on in (
            ("AUTH_REQUIRED: holders need the issuer's authorisation", asset.flags.auth_required),
            ("AUTH_REVOCABLE: authorisation can be revoked", asset.flags.revocable),
            ("CLAWBACK_ENABLED: the DAO can claw tokens back", asset.flags.clawback_enabled),
        )
        if on
    ]
    return "; ".join(flags)


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)
