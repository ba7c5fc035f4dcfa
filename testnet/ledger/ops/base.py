"""What every operation gets and gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from stellar_sdk import xdr as x

from testnet.ledger.codec import NATIVE, asset_issuer
from testnet.ledger.state import Account, StateView, min_balance

MAX_SUB_ENTRIES = 1000


class Threshold(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True, slots=True)
class OpResult:
    """``code`` is the XDR enum member name (``PAYMENT_NO_TRUST``, ``opNO_ACCOUNT``...)."""

    code: str
    balance_id: str | None = None
    merged_balance: int | None = None

    @property
    def success(self) -> bool:
        return self.code.endswith("_SUCCESS")


@dataclass(slots=True)
class OpContext:
    view: StateView
    ledger_seq: int
    close_time: int
    base_reserve: int
    source: str
    tx_source: str
    tx_seq: int
    op_index: int

    def source_account(self) -> Account:
        account = self.view.account_mut(self.source)
        assert account is not None, "checked before the operation is applied"
        return account


Check = Callable[[x.OperationBody, str], str | None]
Apply = Callable[[x.OperationBody, OpContext], OpResult]


@dataclass(frozen=True, slots=True)
class OpHandler:
    name: str
    check: Check
    apply: Apply
    threshold: Callable[[x.OperationBody], Threshold] = lambda _body: Threshold.MEDIUM


def is_issuer(account_id: str, asset: str) -> bool:
    return asset != NATIVE and asset_issuer(asset) == account_id


def can_add_sub_entry(account: Account, base_reserve: int) -> str | None:
    """None if one more sub-entry fits, else "low_reserve" or "too_many"."""
    if account.num_sub_entries >= MAX_SUB_ENTRIES:
        return "too_many"
    if account.balance < min_balance(account, base_reserve, extra_sub_entries=1):
        return "low_reserve"
    return None
