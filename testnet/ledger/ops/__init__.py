"""One handler per supported operation type; anything else is opNOT_SUPPORTED."""

from __future__ import annotations

from stellar_sdk import xdr as x

from testnet.ledger.ops.accounts import (
    ACCOUNT_MERGE,
    BUMP_SEQUENCE,
    CREATE_ACCOUNT,
    MANAGE_DATA,
)
from testnet.ledger.ops.base import OpContext, OpHandler, OpResult, Threshold
from testnet.ledger.ops.claimable import (
    CLAIM_CLAIMABLE_BALANCE,
    CREATE_CLAIMABLE_BALANCE,
)
from testnet.ledger.ops.options import SET_OPTIONS
from testnet.ledger.ops.payments import PAYMENT
from testnet.ledger.ops.trust import (
    ALLOW_TRUST,
    CHANGE_TRUST,
    CLAWBACK,
    SET_TRUST_LINE_FLAGS,
)

_T = x.OperationType
HANDLERS: dict[x.OperationType, OpHandler] = {
    _T.CREATE_ACCOUNT: CREATE_ACCOUNT,
    _T.PAYMENT: PAYMENT,
    _T.SET_OPTIONS: SET_OPTIONS,
    _T.CHANGE_TRUST: CHANGE_TRUST,
    _T.ALLOW_TRUST: ALLOW_TRUST,
    _T.ACCOUNT_MERGE: ACCOUNT_MERGE,
    _T.MANAGE_DATA: MANAGE_DATA,
    _T.BUMP_SEQUENCE: BUMP_SEQUENCE,
    _T.CREATE_CLAIMABLE_BALANCE: CREATE_CLAIMABLE_BALANCE,
    _T.CLAIM_CLAIMABLE_BALANCE: CLAIM_CLAIMABLE_BALANCE,
    _T.CLAWBACK: CLAWBACK,
    _T.SET_TRUST_LINE_FLAGS: SET_TRUST_LINE_FLAGS,
}

__all__ = ["HANDLERS", "OpContext", "OpHandler", "OpResult", "Threshold"]
