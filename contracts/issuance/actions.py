"""Inputs of the issuance contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Action, Asset
from contracts.issuance.state import AssetKind


@dataclass(frozen=True, slots=True)
class ActionDefineAsset(Action):
    asset: Asset  # code and issuer account
    distribution: str
    cap: int
    kind: AssetKind
    grants: str = ""  # access tokens: "content:<infohash>" or "plan:<id>"
    auth_required: bool = False
    revocable: bool = False
    clawback_enabled: bool = False


@dataclass(frozen=True, slots=True)
class ActionMint(Action):
    """Issuer pays ``amount`` new tokens to the distribution account or a holder."""

    asset: Asset
    to: str
    amount: int


@dataclass(frozen=True, slots=True)
class ActionMintByVote(Action):
    """A mint the DAO approved (moderation's ``EventMintApproved``); once per proposal."""

    proposal_id: int
    asset: Asset
    to: str
    amount: int


@dataclass(frozen=True, slots=True)
class ActionTransferOut(Action):
    """The distribution account pays ``amount`` to a holder."""

    asset: Asset
    to: str
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiveHolderTransfer(Action):
    """A payment between holders seen on the ledger; to the issuer it is a burn."""

    asset: Asset
    from_account: str
    to: str
    amount: int


@dataclass(frozen=True, slots=True)
class ActionClawback(Action):
    asset: Asset
    holder: str
    amount: int


@dataclass(frozen=True, slots=True)
class ActionBurn(Action):
    """The distribution account returns ``amount`` to the issuer (destroyed)."""

    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class ActionLock(Action):
    """Lock the issuer for good (fixed supply); requires ``issued == cap``."""

    asset: Asset
