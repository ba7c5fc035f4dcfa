"""The issuance contract's genesis: empty, or with the governance token issued before it."""

from __future__ import annotations

from contracts.core import Asset
from contracts.issuance.actions import ActionDefineAsset
from contracts.issuance.state import AssetFlags, AssetKind, IssuanceState, IssuedAsset
from contracts.issuance.validation import define_error


def initial_state(
    governance: Asset | None = None, distribution: str = "", cap: int = 0, issued: int = 0
) -> IssuanceState:
    """A fresh issuance contract; with ``governance``, the DAO's governance token as it was
    issued on the ledger before the first epoch (``[genesis] governance``): ``issued`` of
    its ``cap``, held by ``distribution``. A federation's validators all start from it,
    since an asset one validator's operator defined later would be that validator's alone.

    Raises ``ValueError`` on an incoherent definition (operator input).
    """
    if governance is None:
        return IssuanceState()
    define = ActionDefineAsset(governance, distribution, cap, AssetKind.GOVERNANCE)
    problem = define_error(IssuanceState(), define)
    if problem is None and not (type(issued) is int and 0 <= issued <= cap):
        problem = "issued must be 0..cap"
    if problem is not None:
        raise ValueError(f"the genesis governance token is not valid: {problem}")
    record = IssuedAsset(
        governance,
        distribution,
        AssetKind.GOVERNANCE,
        "",
        cap,
        AssetFlags(),
        issued=issued,
        holdings={distribution: issued} if issued else {},
    )
    return IssuanceState(assets={governance: record})
