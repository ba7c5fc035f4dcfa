"""Subscriptions, bundles, pay-per-view offers, per-minute rates, statements, entitlement."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictBool

from contracts.access.state import MAX_DURATION, MIN_DURATION
from contracts.subscriptions.catalog import MAX_BUNDLE_PLANS, MAX_PLAN_CHANNELS
from contracts.subscriptions.state import MAX_PERIOD, MIN_PERIOD
from node.api.models.common import Account, AssetText, Identifier, Infohash, Int, Stroops

Period = Field(ge=MIN_PERIOD, le=MAX_PERIOD, description="Seconds, a minute to ten years")


class ChannelIn(BaseModel):
    channel: Identifier


class ChannelOut(BaseModel):
    channel: str
    provider: Account


class PlanIn(BaseModel):
    plan_id: Identifier
    price: Stroops = Field(description="Stroops per period")
    period: Int = Period
    asset: AssetText = "XLM"
    channels: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_PLAN_CHANNELS,
        description="Your channels, no repeats; empty = your catalog",
        json_schema_extra={"uniqueItems": True},
    )
    bundleable: StrictBool = True


class PlanOut(BaseModel):
    plan_id: str
    provider: Account
    price: int
    period: int
    asset: str
    channels: list[str]
    bundleable: bool
    retired: bool


class BundleIn(BaseModel):
    bundle_id: Identifier
    plans: list[Identifier] = Field(
        min_length=2,
        max_length=MAX_BUNDLE_PLANS,
        description="Distinct plan ids",
        json_schema_extra={"uniqueItems": True},
    )
    price: Stroops
    period: Int = Period
    asset: AssetText = "XLM"
    engagement_cap: Int = Field(
        0, ge=0, le=MAX_PERIOD, description="Seconds, at most `period`; 0 = the period length"
    )


class BundleOut(BaseModel):
    bundle_id: str
    curator: Account
    plans: list[str]
    providers: list[str]
    price: int
    period: int
    asset: str
    engagement_cap: int
    retired: bool


class SubscribeIn(BaseModel):
    offering_id: Identifier = Field(description="A plan id or a bundle id")


class SubscriptionOut(BaseModel):
    account: Account
    offering_id: str
    kind: str = Field(description="plan or bundle")
    price: int
    period: int
    asset: str
    status: str = Field(description="active, grace, past_due or canceled (as last processed)")
    paid_until: int
    cancel_at_period_end: bool
    due: int = Field(description="Open renewal charge in stroops, 0 when none")
    entitled: bool = Field(description="Whether it gives access now")
    reason: str
    until: int | None


class CreditOut(BaseModel):
    asset: str
    amount: int


class MemberSubscriptionsOut(BaseModel):
    account: Account
    subscriptions: list[SubscriptionOut]
    credits: list[CreditOut] = Field(description="Paid in, not yet spent on a subscription")


class OfferIn(BaseModel):
    content: Infohash
    price: Stroops
    asset: AssetText = "XLM"
    duration: Int = Field(
        ge=MIN_DURATION, le=MAX_DURATION, description="Seconds of access per purchase"
    )
    token_code: str = Field(
        "",
        pattern="^[A-Za-z0-9]{0,12}$",
        description="Optional access-token asset code (empty for none)",
    )


class OfferOut(BaseModel):
    content: str
    provider: Account
    price: int
    asset: str
    duration: int
    token_code: str
    on_sale: bool
    delisted: bool


class GrantOut(BaseModel):
    content: str
    expires_at: int = Field(description="Access lasts while the time is before this")
    purchases: int
    active: bool


class GrantsOut(BaseModel):
    account: Account
    grants: list[GrantOut]


class RateIn(BaseModel):
    content: Infohash
    asset: AssetText = "XLM"
    per_minute: Stroops = Field(description="Stroops per started minute")


class RateOut(BaseModel):
    content: str
    provider: Account
    asset: str
    per_minute: int
    delisted: bool


class BalanceOut(BaseModel):
    asset: str
    balance: int
    status: str = Field(description="solvent, low or stopped")


class StatementLineOut(BaseModel):
    time: int
    kind: str = Field(description="credit, charge or withdrawal")
    asset: str
    amount: int
    balance: int = Field(description="Running balance after this line")
    reference: str
    content: str
    minutes: int


class StatementOut(BaseModel):
    account: Account
    balances: list[BalanceOut]
    lines: list[StatementLineOut]


class SourceOut(BaseModel):
    allowed: bool
    reason: str
    until: int | None


class EntitlementOut(BaseModel):
    account: Account
    content: str
    allowed: bool
    reason: str = Field(
        description="Why (not): active_subscription, in_grace_period, access_granted, "
        "prepaid_balance, prepaid_balance_low, no_subscription, past_due, canceled, "
        "access_expired, insufficient_balance, content_delisted, not_offered, ..."
    )
    until: int | None = Field(description="Unix time the permission lasts to, if it has an end")
    sources: dict[str, SourceOut] = Field(
        description="Each contract's own answer: subscriptions, access, billing"
    )
