"""State of the issuance contract: the governance token and content-access tokens.

Per asset: ``issued`` counts every stroop ever minted and never exceeds ``cap``;
``burned`` and ``clawed_back`` count what left circulation. The holdings the contract
knows always add up to ``issued - burned - clawed_back``. Burned tokens do not free
room under the cap: a fixed supply stays fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contracts.core import Asset


class AssetKind(StrEnum):
    GOVERNANCE = "governance"  # the network's voting token
    ACCESS = "access"  # grants access to one content item or plan


@dataclass(frozen=True, slots=True)
class AssetFlags:
    """The issuer account's Stellar flags (AUTH_REQUIRED, AUTH_REVOCABLE, CLAWBACK_ENABLED)."""

    auth_required: bool = False
    revocable: bool = False
    clawback_enabled: bool = False


@dataclass(frozen=True, slots=True)
class IssuedAsset:
    asset: Asset
    distribution: str  # holds freshly minted supply; never the issuer
    kind: AssetKind
    grants: str  # access: "content:<infohash>" or "plan:<id>"; governance: ""
    cap: int  # immutable supply cap, stroops
    flags: AssetFlags
    issued: int = 0
    burned: int = 0
    clawed_back: int = 0
    locked: bool = False  # issuer locked: no minting (nor clawback) ever again
    holdings: dict[str, int] = field(default_factory=dict)  # account -> stroops, all > 0

    @property
    def outstanding(self) -> int:
        return self.issued - self.burned - self.clawed_back


@dataclass(frozen=True, slots=True)
class IssuanceState:
    assets: dict[Asset, IssuedAsset] = field(default_factory=dict)
    vote_mints: dict[int, Asset] = field(default_factory=dict)  # proposal id -> asset
