"""The federation's members and each epoch's leader.

The validator set is the treasury's signers (``[stellar] validators``); ``[federation]
members`` names the other validators' API URLs so that this node can reach them. An
epoch's leader is chosen by rotation over the set in a fixed order, so every validator
computes the same leader for every (epoch, round) with no message exchanged: round 0 is
led by ``sorted(validators)[epoch % N]``, and each further round (after a round timed
out) by the next validator in that order.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator
from stellar_sdk import StrKey


class Member(BaseModel):
    """Another validator: its Stellar account (its validator key) and its node's API."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str
    url: str

    @field_validator("account")
    @classmethod
    def _account(cls, v: str) -> str:
        if not StrKey.is_valid_ed25519_public_key(v):
            raise ValueError(f"{v[:8]}... is not a Stellar public key (G...)")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v.rstrip("/")


class FederationSettings(BaseModel):
    """``[federation]``: the other validators, and how long a round may take."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The other validators: [{account = "G...", url = "http://host:8700"}, ...]; each
    # account must be one of [stellar] validators. Empty: this node settles alone.
    members: list[Member] = Field(default_factory=list)
    # Seconds a leader has to get its proposal signed before the next validator leads.
    round_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Seconds to wait for another validator's answer to a request to sign.
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Seconds between two pulls of the other validators' sealed batches of receipts.
    relay_seconds: float = Field(default=2.0, gt=0, le=600)

    @field_validator("members")
    @classmethod
    def _distinct(cls, v: list[Member]) -> list[Member]:
        accounts = [m.account for m in v]
        if len(set(accounts)) != len(accounts):
            raise ValueError("a member is listed twice")
        return v


def leader(validators: Sequence[str], epoch: int, round_: int = 0) -> str:
    """The validator that leads ``epoch`` in ``round_`` (0 first, then one per time-out)."""
    if not validators:
        raise ValueError("a federation needs at least one validator")
    if epoch < 0 or round_ < 0:
        raise ValueError("epochs and rounds are not negative")
    order = sorted(set(validators))
    return order[(epoch + round_) % len(order)]
