"""State of the subscriptions contract: catalog ownership, plans, bundles, subscribers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from contracts.core import Asset
from contracts.pmap import PMap

HOUR = 3600
DAY = 24 * HOUR
MIN_PERIOD = 60  # a minute: short periods suit test networks; providers choose
MAX_PERIOD = 3660 * DAY  # ten years
MAX_GRACE = 30 * DAY
MAX_PAST_DUE = 90 * DAY
DEFAULT_GRACE = 3 * DAY
DEFAULT_PAST_DUE = 14 * DAY


class SubStatus(StrEnum):
    ACTIVE = "active"
    GRACE = "grace"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


class OfferingKind(StrEnum):
    PLAN = "plan"
    BUNDLE = "bundle"


@dataclass(frozen=True, slots=True)
class Config:
    """Dunning windows: entitled for ``grace_period`` after a missed renewal, then
    ``past_due`` (not entitled) for ``past_due_period``, then canceled."""

    grace_period: int = DEFAULT_GRACE
    past_due_period: int = DEFAULT_PAST_DUE


@dataclass(frozen=True, slots=True)
class Channel:
    channel_id: str
    provider: str
    delisted: bool = False


@dataclass(frozen=True, slots=True)
class Content:
    content_id: str  # infohash, lower-case hex
    provider: str
    channel: str = ""  # "" when the content belongs to no channel
    delisted: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """A provider's offer. ``channels == ()`` covers the provider's whole catalog."""

    plan_id: str
    provider: str
    price: int
    period: int
    asset: Asset
    channels: tuple[str, ...] = ()
    bundleable: bool = True
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Bundle:
    """Several providers' plans sold as one subscription with its own terms."""

    bundle_id: str
    curator: str
    plans: tuple[str, ...]
    providers: tuple[str, ...]  # sorted, distinct
    price: int
    period: int
    asset: Asset
    engagement_cap: int  # seconds per provider per period counted in the split
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Terms:
    """What the subscriber bought; a later change of the offering does not alter it."""

    price: int
    period: int
    asset: Asset


@dataclass(frozen=True, slots=True)
class Pool:
    """One paid bundle period's revenue, held until the period ends and then split.

    ``viewing`` maps (epoch, content) to (provider, verified seconds).
    """

    index: int
    amount: int
    start: int
    end: int
    viewing: dict[tuple[int, str], tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Subscription:
    account: str
    offering_id: str
    kind: OfferingKind
    terms: Terms
    status: SubStatus
    paid_until: int
    period_index: int = 0  # number of the last paid period (1 = the purchase)
    cancel_at_period_end: bool = False
    due: int = 0  # amount of the open renewal charge, 0 when none
    pool: Pool | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionsState:
    config: Config = Config()
    channels: PMap[str, Channel] = field(default_factory=PMap)
    contents: PMap[str, Content] = field(default_factory=PMap)
    plans: PMap[str, Plan] = field(default_factory=PMap)
    bundles: PMap[str, Bundle] = field(default_factory=PMap)
    # account -> offering id -> subscription (one per account and offering)
    subscriptions: dict[str, dict[str, Subscription]] = field(default_factory=dict)
    credits: dict[tuple[str, Asset], int] = field(default_factory=dict)
    payments_seen: dict[str, bool] = field(default_factory=dict)
    refund_seq: int = 0  # numbers credit withdrawals, for unique refund references


def initial_state(
    grace_period: int = DEFAULT_GRACE, past_due_period: int = DEFAULT_PAST_DUE
) -> SubscriptionsState:
    """A fresh contract. Raises ValueError on bad configuration (operator input)."""
    if not (type(grace_period) is int and 0 <= grace_period <= MAX_GRACE):
        raise ValueError(f"grace_period must be 0..{MAX_GRACE} seconds")
    if not (type(past_due_period) is int and 0 <= past_due_period <= MAX_PAST_DUE):
        raise ValueError(f"past_due_period must be 0..{MAX_PAST_DUE} seconds")
    return SubscriptionsState(config=Config(grace_period, past_due_period))


def credit_of(state: SubscriptionsState, account: str, asset: Asset) -> int:
    return state.credits.get((account, asset), 0)


def subscription_of(
    state: SubscriptionsState, account: str, offering_id: str
) -> Subscription | None:
    return state.subscriptions.get(account, {}).get(offering_id)


def with_subscription(state: SubscriptionsState, sub: Subscription) -> SubscriptionsState:
    mine = {**state.subscriptions.get(sub.account, {}), sub.offering_id: sub}
    return replace(state, subscriptions={**state.subscriptions, sub.account: mine})
