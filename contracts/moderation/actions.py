"""Inputs of the moderation / governance contract.

Ledger sequence numbers (``start_ledger``, ``ledger``) come from the service layer,
which reads them from the ledger it follows; time comes only from ``Context.close_time``.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Action, Asset
from contracts.moderation.state import ProposalKind, VoteChoice


@dataclass(frozen=True, slots=True)
class ActionPropose(Action):
    proposer: str
    kind: ProposalKind
    start_ledger: int  # the ledger whose balances and delegations weigh the votes
    target: str = ""  # delist: infohash; ban: provider; param: parameter name
    value: int = 0  # param: new value; mint: amount in stroops
    recipient: str = ""  # mint: the receiving account
    asset: Asset | None = None  # mint: the asset to mint
    description: str = ""
    # the proposer's weight (own + delegated) at start_ledger as the node's balance index
    # has it; below gov.proposal_threshold the proposal is refused. None: the index has not
    # reached start_ledger, and the snapshot decides (a proposer below it is dropped then)
    weight: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiveBalanceSnapshot(Action):
    """Governance-token balances at ``ledger``, from the node's balance index."""

    proposal_id: int
    ledger: int
    balances: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ActionVote(Action):
    """A vote whose SEP-53 signature the service layer has already verified."""

    proposal_id: int
    voter: str
    choice: VoteChoice
    reason: str
    signed_message_hash: str  # hex SHA-256 (see ``message.sep53_digest``)
    nonce: int = 0  # must grow when a voter changes its vote


@dataclass(frozen=True, slots=True)
class ActionDelegate(Action):
    """From ``ledger`` on, ``delegator``'s weight goes to ``delegate`` unless it votes itself."""

    delegator: str
    delegate: str
    ledger: int


@dataclass(frozen=True, slots=True)
class ActionUndelegate(Action):
    delegator: str
    ledger: int


@dataclass(frozen=True, slots=True)
class ActionCancel(Action):
    proposal_id: int
    by: str


@dataclass(frozen=True, slots=True)
class ActionFinalize(Action):
    """Count the votes of a proposal whose voting period has ended (anyone may ask)."""

    proposal_id: int


@dataclass(frozen=True, slots=True)
class ActionExecute(Action):
    """Carry out a passed proposal once its timelock has elapsed (anyone may ask)."""

    proposal_id: int


@dataclass(frozen=True, slots=True)
class ActionTick(Action):
    """Finalise every ended proposal, then execute every due one, in id order."""


@dataclass(frozen=True, slots=True)
class ActionAppeal(Action):
    """Contest an executed delisting with a bond observed on the ledger."""

    proposal_id: int  # the executed delisting
    appellant: str
    start_ledger: int
    bond_asset: Asset
    bond_amount: int
    payment_ref: str  # the Stellar payment (transaction hash) that posted the bond
