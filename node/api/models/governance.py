"""Proposals, SEP-53 signed votes and delegations, voting power."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from node.api.models.common import MAX_NONCE, MAX_STROOPS, Account, AssetText, Int

Signature = Field(
    min_length=1,
    max_length=128,
    description="Base64 of the 64-byte SEP-53 signature (stellar-sdk Keypair.sign_message)",
)
Nonce = Field(ge=0, le=MAX_NONCE, description="Must grow when you change a vote / delegation")


class ProposalIn(BaseModel):
    kind: Literal["delist", "ban", "param", "mint"]
    target: str = Field(
        "", max_length=64, description="delist: infohash; ban: provider; param: parameter name"
    )
    value: Int = Field(0, ge=0, le=MAX_STROOPS, description="param: new value; mint: stroops")
    recipient: str = Field("", max_length=56, description="mint: the receiving account")
    asset: AssetText | None = Field(None, description="mint: the asset to mint")
    description: str = Field("", max_length=1000)


class TallyOut(BaseModel):
    yes: int
    no: int
    abstain: int
    total_supply: int
    quorum_met: bool
    passed: bool


class VoteOut(BaseModel):
    proposal_id: int
    voter: Account
    choice: str
    reason: str
    nonce: int
    cast_at: int
    message_hash: str = Field(description="Hex SHA-256 the SEP-53 signature covers")
    message: str | None = Field(description="The exact message signed (check it yourself)")
    signature: str | None = Field(description="Base64 SEP-53 signature by the voter")


class ProposalOut(BaseModel):
    id: int
    kind: str
    proposer: Account
    target: str
    value: int
    recipient: str
    asset: str | None
    description: str
    status: str = Field(description="active, passed, failed, cancelled or executed")
    start_ledger: int = Field(description="Balances and delegations as of this ledger weigh")
    created_at: int
    freeze_at: int
    voting_ends_at: int
    quorum_bps: int
    support_bps: int
    snapshot_recorded: bool = Field(description="Votes are accepted once the snapshot is in")
    votes_cast: int
    tally: TallyOut | None
    executable_at: int | None
    executed_at: int | None


class ProposalDetailOut(ProposalOut):
    votes: list[VoteOut]


class VoteIn(BaseModel):
    choice: Literal["yes", "no", "abstain"]
    reason: str = Field("", max_length=1000)
    nonce: Int = Nonce
    signature: str = Signature


class DelegationIn(BaseModel):
    delegate: str = Field(description="G... to delegate to, or empty to revoke", max_length=56)
    nonce: Int = Nonce
    signature: str = Signature


class DelegationOut(BaseModel):
    delegator: Account
    delegate: str
    ledger: int = Field(description="In force for proposals starting at or after this ledger")
    nonce: int


class ProposalPowerOut(BaseModel):
    proposal_id: int
    snapshot_recorded: bool
    balance: int = Field(description="Own governance balance in the proposal's snapshot")
    weight: int = Field(description="Own balance + delegators' that have not voted")
    delegate: str = Field(description="Whom the account delegated to at the start ledger")
    voted: bool


class VotingPowerOut(BaseModel):
    account: Account
    delegate: str = Field(description="Current delegate, empty for none")
    proposals: list[ProposalPowerOut] = Field(description="Open proposals")
