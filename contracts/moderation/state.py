"""State of the moderation / governance contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from contracts.core import NATIVE, Asset
from contracts.moderation.params import check_params, default_params, in_bounds


class ProposalKind(StrEnum):
    DELIST = "delist"  # target: infohash
    BAN = "ban"  # target: provider account
    PARAM = "param"  # target: parameter name, value: new value
    MINT = "mint"  # asset, recipient, value: amount (stroops)
    APPEAL = "appeal"  # created by ActionAppeal; target: infohash; yes = relist


class ProposalStatus(StrEnum):
    ACTIVE = "active"  # voting (once the snapshot is in)
    PASSED = "passed"  # waiting for its timelock, then execution
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXECUTED = "executed"


class VoteChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True, slots=True)
class Vote:
    choice: VoteChoice
    reason: str
    message_hash: str  # hex SHA-256 of the SEP-53 signed vote message
    nonce: int
    cast_at: int


@dataclass(frozen=True, slots=True)
class Bond:
    appellant: str
    asset: Asset
    amount: int
    payment_ref: str  # the Stellar payment that posted it


@dataclass(frozen=True, slots=True)
class Tally:
    yes: int
    no: int
    abstain: int
    total_supply: int
    quorum_met: bool
    passed: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    kind: ProposalKind
    proposer: str
    target: str
    value: int
    recipient: str
    asset: Asset | None
    description: str
    start_ledger: int  # balances and delegations are taken as of this ledger
    created_at: int
    freeze_at: int  # from here on votes may be cast but not changed
    voting_ends_at: int
    quorum_bps: int
    support_bps: int
    timelock_s: int
    status: ProposalStatus = ProposalStatus.ACTIVE
    snapshot: dict[str, int] | None = None
    votes: dict[str, Vote] = field(default_factory=dict)
    tally: Tally | None = None
    finalised_at: int | None = None
    executable_at: int | None = None
    executed_at: int | None = None
    appeal_deadline: int | None = None  # delist: appeals accepted until then
    appeal_id: int | None = None  # delist: the appeal filed against it
    appeal_of: int | None = None  # appeal: the delisting it contests
    bond: Bond | None = None  # appeal: the posted bond


@dataclass(frozen=True, slots=True)
class DelegationChange:
    ledger: int
    delegate: str  # "" = delegation revoked


@dataclass(frozen=True, slots=True)
class ModerationState:
    params: dict[str, int] = field(default_factory=default_params)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    next_id: int = 1
    delegations: dict[str, tuple[DelegationChange, ...]] = field(default_factory=dict)
    sealed_ledger: int = 0  # highest start ledger of any proposal: history up to it is fixed
    bond_asset: Asset = NATIVE
    bond_payments: dict[str, int] = field(default_factory=dict)  # payment ref -> appeal id
    # when set, every vote's signed_message_hash must be the SEP-53 digest of the vote
    # message built from the vote's own fields, so stored votes can be re-verified
    network_passphrase: str = ""


def initial_state(
    bond_asset: Asset = NATIVE,
    network_passphrase: str = "",
    params: Mapping[str, int] | None = None,
) -> ModerationState:
    """A fresh DAO, with its genesis ``params`` (DAO parameters other than the defaults).

    Raises ``ValueError`` on a passphrase that cannot be one message line, or on an
    unknown, out-of-bounds or incoherent parameter (operator input).
    """
    if "\n" in network_passphrase:
        raise ValueError("network passphrase must be one line")
    merged = default_params()
    for name, value in sorted((params or {}).items()):
        if not in_bounds(name, value):
            raise ValueError(f"genesis parameter {name}={value!r} is unknown or out of bounds")
        merged[name] = value
    problem = check_params(merged)
    if problem is not None:
        raise ValueError(f"genesis parameters are incoherent: {problem}")
    return ModerationState(
        bond_asset=bond_asset, network_passphrase=network_passphrase, params=merged
    )
