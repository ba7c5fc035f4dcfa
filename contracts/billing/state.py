"""State of the per-minute billing contract: prepaid balances, content rates, sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contracts.core import Asset
from contracts.pmap import PMap

LOW_MINUTES = 10  # a balance under this many minutes at the last rate is "low"
MAX_MINUTES_PER_RECEIPT = 1440  # one receipt covers at most a day of viewing
MAX_MINUTE_INDEX = 10**9


class BalanceStatus(StrEnum):
    SOLVENT = "solvent"
    LOW = "low"
    STOPPED = "stopped"


class LineKind(StrEnum):
    CREDIT = "credit"
    CHARGE = "charge"
    WITHDRAWAL = "withdrawal"


@dataclass(frozen=True, slots=True)
class Rate:
    """A provider's price for one content: ``per_minute`` stroops of ``asset``."""

    content: str
    provider: str
    asset: Asset
    per_minute: int
    delisted: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A viewing session of one account on one content.

    ``minutes`` maps each minute index seen to True (charged) or False (unbilled: the
    balance could not pay it, so it was not served and will never be charged).
    """

    session: str
    account: str
    content: str
    minutes: dict[int, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of an account's statement; ``balance`` is the running balance after it."""

    time: int
    kind: LineKind
    asset: Asset
    amount: int
    balance: int
    reference: str  # deposit tx hash, "session:first-last", or refund reference
    content: str = ""
    minutes: int = 0


@dataclass(frozen=True, slots=True)
class BillingState:
    rates: PMap[str, Rate] = field(default_factory=PMap)
    balances: dict[tuple[str, Asset], int] = field(default_factory=dict)
    last_rate: dict[tuple[str, Asset], int] = field(default_factory=dict)
    deposits_seen: dict[str, bool] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    statements: dict[str, tuple[StatementLine, ...]] = field(default_factory=dict)
    accrued: dict[tuple[str, Asset], int] = field(default_factory=dict)  # provider revenue
    payout_seq: int = 0
    refund_seq: int = 0


def initial_state() -> BillingState:
    return BillingState()


def balance_of(state: BillingState, account: str, asset: Asset) -> int:
    return state.balances.get((account, asset), 0)


def status_of(state: BillingState, account: str, asset: Asset) -> BalanceStatus:
    """``stopped`` if the next minute cannot be paid, ``low`` under LOW_MINUTES minutes.

    The reference rate is the rate of the last minute charged in ``asset``; before any
    charge an account is ``solvent`` with a positive balance and ``stopped`` without.
    """
    balance = balance_of(state, account, asset)
    rate = state.last_rate.get((account, asset))
    if rate is None:
        return BalanceStatus.SOLVENT if balance > 0 else BalanceStatus.STOPPED
    if balance < rate:
        return BalanceStatus.STOPPED
    if balance < LOW_MINUTES * rate:
        return BalanceStatus.LOW
    return BalanceStatus.SOLVENT
