"""Issuance of the governance token and content-access tokens."""

from contracts.issuance.actions import (
    ActionBurn,
    ActionClawback,
    ActionDefineAsset,
    ActionLock,
    ActionMint,
    ActionMintByVote,
    ActionTransferOut,
    ReceiveHolderTransfer,
)
from contracts.issuance.bridge import issuance_action_for
from contracts.issuance.events import (
    EventAssetDefined,
    EventAssetLocked,
    EventHoldingChanged,
    EventSupplyChanged,
    SendBurn,
    SendClawback,
    SendConfigureIssuer,
    SendIssue,
    SendLockIssuer,
)
from contracts.issuance.genesis import initial_state
from contracts.issuance.state import (
    AssetFlags,
    AssetKind,
    IssuanceState,
    IssuedAsset,
)
from contracts.issuance.transition import transition

__all__ = [
    "ActionBurn",
    "ActionClawback",
    "ActionDefineAsset",
    "ActionLock",
    "ActionMint",
    "ActionMintByVote",
    "ActionTransferOut",
    "AssetFlags",
    "AssetKind",
    "EventAssetDefined",
    "EventAssetLocked",
    "EventHoldingChanged",
    "EventSupplyChanged",
    "IssuanceState",
    "IssuedAsset",
    "ReceiveHolderTransfer",
    "SendBurn",
    "SendClawback",
    "SendConfigureIssuer",
    "SendIssue",
    "SendLockIssuer",
    "initial_state",
    "issuance_action_for",
    "transition",
]
