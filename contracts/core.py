"""Primitive types shared by every contract.

Naming follows the raiden convention: inputs are ``Action*`` (a user or DAO request)
or ``Receive*`` (facts observed elsewhere, e.g. a verified receipt or a ledger payment);
outputs are ``Send*`` (effects the service layer must carry out, e.g. a payout on
Stellar) and ``Event*`` (facts to record, including rejected actions). An invalid
action never raises: it becomes an ``EventRejected`` and leaves the state unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

STROOPS_PER_UNIT = 10_000_000
MAX_AMOUNT = 2**63 - 1  # Stellar's int64 ceiling, in stroops


@dataclass(frozen=True, slots=True)
class Asset:
    """A Stellar asset. ``issuer`` is empty for the native asset (XLM)."""

    code: str
    issuer: str = ""

    @property
    def is_native(self) -> bool:
        return self.issuer == ""

    def __str__(self) -> str:
        return "native" if self.is_native else f"{self.code}:{self.issuer}"


NATIVE = Asset("XLM")


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a transition may know about the world besides state and action."""

    epoch: int
    close_time: int  # ledger close time, unix seconds
    seed: bytes = b""  # the epoch seed (32 bytes), for any deterministic sampling


class Action:
    """Base of every input to a contract."""

    __slots__ = ()


class Event:
    """Base of every output of a contract."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class EventRejected(Event):
    """An action was refused; the state did not change.

    ``code`` is stable and machine-readable (e.g. ``insufficient_balance``).
    """

    action: str
    code: str
    detail: str = ""


S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class TransitionResult(Generic[S]):
    state: S
    events: tuple[Event, ...] = ()


def rejected(state: S, action: Action, code: str, detail: str = "") -> TransitionResult[S]:
    """The result of refusing ``action``: same state, one ``EventRejected``."""
    return TransitionResult(state, (EventRejected(type(action).__name__, code, detail),))


def is_valid_amount(amount: object) -> bool:
    """A positive integer number of stroops that fits Stellar's int64."""
    return type(amount) is int and 0 < amount <= MAX_AMOUNT
