"""Inputs of the per-minute billing contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import Action, Asset

__all__ = [
    "ActionPayProviders",
    "ActionSetRate",
    "ActionWithdraw",
    "ReceiveContentDelisted",
    "ReceiveContentRelisted",
    "ReceiveDeposit",
    "ReceiveViewingMinutes",
]


@dataclass(frozen=True, slots=True)
class ActionSetRate(Action):
    """The content's provider sets (or changes) its price per started minute."""

    provider: str
    content: str
    asset: Asset
    per_minute: int


@dataclass(frozen=True, slots=True)
class ReceiveDeposit(Action):
    """A payment to the treasury; the runtime resolved ``account`` from the memo."""

    account: str
    asset: Asset
    amount: int
    tx_hash: str


@dataclass(frozen=True, slots=True)
class ReceiveViewingMinutes(Action):
    """Verified viewing of ``content`` in ``session``: either explicit minute indices, or a
    half-open span of seconds ``(from_second, to_second)`` whose started minutes count."""

    account: str
    content: str
    session: str
    minute_indices: tuple[int, ...] = ()
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class ActionWithdraw(Action):
    """Return unspent prepaid balance to the account."""

    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class ActionPayProviders(Action):
    """Pay every provider the revenue accrued since the last payout (once per epoch)."""
