"""Outputs of the moderation / governance contract.

``EventContentDelisted``, ``EventContentHidden``, ``EventContentRelisted`` and
``EventChannelBanned`` are consumed by the catalog (see ``contracts.catalog.bridge``)
and by the access contracts; ``EventParameterChanged`` by rewards and others;
``EventMintApproved`` by issuance (``ActionMintByVote``). A returned appeal bond is a
``contracts.common.SendPayout``.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Asset, Event
from contracts.moderation.state import ProposalKind, ProposalStatus, VoteChoice


@dataclass(frozen=True, slots=True)
class EventProposalCreated(Event):
    proposal_id: int
    kind: ProposalKind
    proposer: str
    start_ledger: int
    voting_ends_at: int


@dataclass(frozen=True, slots=True)
class EventSnapshotRecorded(Event):
    proposal_id: int
    ledger: int
    total_supply: int
    holders: int


@dataclass(frozen=True, slots=True)
class EventVoteCast(Event):
    proposal_id: int
    voter: str
    choice: VoteChoice
    changed: bool  # True when it replaced an earlier vote of the same voter


@dataclass(frozen=True, slots=True)
class EventDelegationChanged(Event):
    delegator: str
    delegate: str  # "" when revoked
    ledger: int


@dataclass(frozen=True, slots=True)
class EventProposalCancelled(Event):
    proposal_id: int


@dataclass(frozen=True, slots=True)
class EventProposalDropped(Event):
    """The proposal ended before any vote (e.g. ``proposer_not_member``): status failed."""

    proposal_id: int
    code: str


@dataclass(frozen=True, slots=True)
class EventProposalFinalised(Event):
    proposal_id: int
    status: ProposalStatus
    yes: int
    no: int
    abstain: int
    total_supply: int
    quorum_met: bool


@dataclass(frozen=True, slots=True)
class EventProposalExecuted(Event):
    proposal_id: int


@dataclass(frozen=True, slots=True)
class EventExecutionFailed(Event):
    proposal_id: int
    code: str


@dataclass(frozen=True, slots=True)
class EventContentDelisted(Event):
    infohash: str
    proposal_id: int
    final: bool  # True when no appeal can restore it any more


@dataclass(frozen=True, slots=True)
class EventContentHidden(Event):
    infohash: str
    proposal_id: int  # the appeal


@dataclass(frozen=True, slots=True)
class EventContentRelisted(Event):
    infohash: str
    proposal_id: int  # the appeal


@dataclass(frozen=True, slots=True)
class EventChannelBanned(Event):
    provider: str
    proposal_id: int


@dataclass(frozen=True, slots=True)
class EventParameterChanged(Event):
    name: str
    value: int
    proposal_id: int


@dataclass(frozen=True, slots=True)
class EventMintApproved(Event):
    proposal_id: int
    asset: Asset
    to: str
    amount: int


@dataclass(frozen=True, slots=True)
class EventAppealFiled(Event):
    appeal_id: int
    appeal_of: int
    appellant: str
    bond_amount: int


@dataclass(frozen=True, slots=True)
class EventBondForfeited(Event):
    """A failed appeal's bond stays in the treasury (it was paid there)."""

    appeal_id: int
    asset: Asset
    amount: int
    payment_ref: str
