"""Inputs of the rewards contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Action, Asset


@dataclass(frozen=True, slots=True)
class ReceiveEpochFacts(Action):
    """The verified facts of one closed epoch, for one payment asset.

    - ``viewer_payments``: (infohash, stroops paid by that content's viewers);
    - ``verified_bytes``: (uploader, infohash, bytes served and verified);
    - ``verified_seconds``: (creator, infohash, seconds of verified viewing);
    - ``ad_views``: (viewer, verified ad-view receipts);
    - ``moderator_participation``: (member, votes cast on proposals closed in the epoch).
    Each list holds a key at most once.
    """

    epoch: int
    asset: Asset
    viewer_payments: tuple[tuple[str, int], ...]
    verified_bytes: tuple[tuple[str, str, int], ...] = ()
    verified_seconds: tuple[tuple[str, str, int], ...] = ()
    ad_views: tuple[tuple[str, int], ...] = ()
    moderator_participation: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ActionPlanPayouts(Action):
    """Pay everyone whose payable amount (earned - paid - in flight) is >= ``min_payout``."""

    epoch: int
    min_payout: int


@dataclass(frozen=True, slots=True)
class ReceivePayoutSettled(Action):
    reference: str


@dataclass(frozen=True, slots=True)
class ReceivePayoutFailed(Action):
    reference: str


@dataclass(frozen=True, slots=True)
class ReceiveParameterChanged(Action):
    """A DAO decision on one of ``reward.bandwidth_bps``, ``reward.creators_bps``,
    ``reward.moderators_bps``, ``reward.ads_bps``."""

    name: str
    value: int
