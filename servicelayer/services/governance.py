"""Governance use cases: propose, vote and delegate with SEP-53 signatures, read proposals.

A vote or delegation is the member's SEP-53 signature over the contract's own message
(``vote_message`` / ``delegation_message``). The node checks it with stellar-sdk's
``Keypair.verify_message`` before the action reaches the contract, and keeps message and
signature so anyone can check later that the member cast what the contract counted.

Ledger numbers: a proposal's ``start_ledger`` (whose balances weigh the votes) and a
delegation's ledger come from the ledger the node follows (``ledger`` arguments).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stellar_sdk import Keypair
from stellar_sdk.exceptions import BadSignatureError, Ed25519PublicKeyInvalidError

from contracts.core import Asset, Context
from contracts.issuance import IssuanceState
from contracts.moderation import (
    ActionDelegate,
    ActionPropose,
    ActionUndelegate,
    ActionVote,
    ModerationState,
    Proposal,
    ProposalKind,
    ProposalStatus,
    VoteChoice,
    delegation_message,
    reason_hash,
    sep53_digest,
    vote_message,
)
from contracts.moderation.tally import delegate_as_of, delegations_as_of, voting_power
from servicelayer.errors import Conflict, InvalidInput, NotFound
from servicelayer.ledger.money import asset_from_text
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import apply_checked, asset_text, state_of
from servicelayer.storage.api_models import SignedMessage
from servicelayer.watcher.balances import indexed_weight

CONTRACT = "moderation"


@dataclass(frozen=True)
class ProposalDraft:
    kind: str
    target: str = ""
    value: int = 0
    recipient: str = ""
    asset: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Signed:
    """A member's signed statement: what the message says, and the signature (base64)."""

    account: str
    nonce: int
    signature: str


def propose(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    proposer: str,
    draft: ProposalDraft,
    ledger: int,
    *,
    weigh: bool = True,
) -> dict[str, Any]:
    """Propose at ``ledger``; with ``weigh``, refuse a proposer below the threshold by the
    node's balance index at once (else, as on a federation, the snapshot decides)."""
    if draft.kind not in tuple(ProposalKind) or draft.kind == ProposalKind.APPEAL:
        raise InvalidInput("kind must be delist, ban, param or mint", code="invalid_kind")
    asset = asset_from_text(draft.asset) if draft.asset else None
    if draft.kind == ProposalKind.MINT and asset is not None:
        _check_mintable(runtime, session, asset, draft.value)
    state: ModerationState = state_of(runtime, session, CONTRACT)
    start = max(ledger, state.sealed_ledger)  # never below an earlier proposal's
    weight = indexed_weight(runtime, session, proposer, start) if weigh else None
    action = ActionPropose(
        proposer,
        ProposalKind(draft.kind),
        start,
        draft.target,
        draft.value,
        draft.recipient,
        asset,
        draft.description,
        weight,
    )
    apply_checked(runtime, session, CONTRACT, [action], ctx)
    state = state_of(runtime, session, CONTRACT)
    return proposal_view(session, state.proposals[state.next_id - 1], with_votes=False)


def _check_mintable(runtime: ContractRuntime, session: Session, asset: Asset, value: int) -> None:
    """Refuse now a mint the issuance contract would refuse once the vote passed."""
    issuance: IssuanceState = state_of(runtime, session, "issuance")
    token = issuance.assets.get(asset)
    if token is None:
        raise InvalidInput(f"the DAO has not issued {asset_text(asset)}", code="unknown_asset")
    if token.locked:
        raise Conflict(
            f"{asset.code}'s issuer is locked: no more can be minted", code="asset_locked"
        )
    if token.issued + value > token.cap:
        room = token.cap - token.issued
        raise Conflict(
            f"only {room} stroops of {asset.code} remain under its cap", code="cap_exceeded"
        )


def vote(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    passphrase: str,
    proposal_id: int,
    choice: str,
    reason: str,
    signed: Signed,
) -> dict[str, Any]:
    if choice not in tuple(VoteChoice):
        raise InvalidInput("choice must be yes, no or abstain", code="invalid_choice")
    try:
        hashed = reason_hash(reason) if reason else None
        message = vote_message(passphrase, proposal_id, choice, hashed, signed.nonce)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_vote") from None
    _verify(signed, message, "bad_vote_signature")
    action = ActionVote(
        proposal_id,
        signed.account,
        VoteChoice(choice),
        reason,
        sep53_digest(message).hex(),
        signed.nonce,
    )
    apply_checked(runtime, session, CONTRACT, [action], ctx)
    _keep(session, "vote", str(proposal_id), signed, message, ctx.close_time)
    state: ModerationState = state_of(runtime, session, CONTRACT)
    proposal = state.proposals[proposal_id]
    return _vote_view(session, proposal, signed.account)


def delegate(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    passphrase: str,
    to: str,
    signed: Signed,
    ledger: int,
) -> dict[str, Any]:
    """Delegate ``signed.account``'s weight to ``to`` ("" revokes) from ``ledger`` on."""
    try:
        message = delegation_message(passphrase, to, signed.nonce)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_delegation") from None
    _verify(signed, message, "bad_delegation_signature")
    last = session.scalar(
        select(func.max(SignedMessage.nonce)).where(
            SignedMessage.kind == "delegation", SignedMessage.account == signed.account
        )
    )
    if last is not None and signed.nonce <= last:
        raise Conflict(f"nonce must be greater than {last}", code="stale_nonce")
    state: ModerationState = state_of(runtime, session, CONTRACT)
    at = max(ledger, state.sealed_ledger + 1)  # after every proposal's start ledger
    action = ActionDelegate(signed.account, to, at) if to else ActionUndelegate(signed.account, at)
    apply_checked(runtime, session, CONTRACT, [action], ctx)
    _keep(session, "delegation", "", signed, message, ctx.close_time)
    return {"delegator": signed.account, "delegate": to, "ledger": at, "nonce": signed.nonce}


def list_proposals(
    runtime: ContractRuntime, session: Session, status: str | None
) -> list[dict[str, Any]]:
    state: ModerationState = state_of(runtime, session, CONTRACT)
    found = (state.proposals[k] for k in sorted(state.proposals, reverse=True))
    return [
        proposal_view(session, p, with_votes=False)
        for p in found
        if status is None or p.status == status
    ]


def get_proposal(runtime: ContractRuntime, session: Session, proposal_id: int) -> dict[str, Any]:
    state: ModerationState = state_of(runtime, session, CONTRACT)
    proposal = state.proposals.get(proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}", code="unknown_proposal")
    return proposal_view(session, proposal, with_votes=True)


def power(runtime: ContractRuntime, session: Session, account: str, now: int) -> dict[str, Any]:
    """What ``account`` weighs in each open proposal (own snapshot balance + delegators
    that have not voted themselves), and to whom it delegates now."""
    state: ModerationState = state_of(runtime, session, CONTRACT)
    history = state.delegations.get(account, ())
    latest = history[-1].delegate if history else ""
    open_ones = []
    for pid in sorted(state.proposals):
        p = state.proposals[pid]
        if p.status != ProposalStatus.ACTIVE or now >= p.voting_ends_at:
            continue
        delegations = delegations_as_of(state, p.start_ledger)
        open_ones.append(
            {
                "proposal_id": pid,
                "snapshot_recorded": p.snapshot is not None,
                "balance": (p.snapshot or {}).get(account, 0),
                "weight": voting_power(p, account, delegations),
                "delegate": delegate_as_of(history, p.start_ledger),
                "voted": account in p.votes,
            }
        )
    return {"account": account, "delegate": latest, "proposals": open_ones}


def _verify(signed: Signed, message: bytes, code: str) -> None:
    try:
        signature = base64.b64decode(signed.signature, validate=True)
        Keypair.from_public_key(signed.account).verify_message(message, signature)
    except (binascii.Error, ValueError, BadSignatureError, Ed25519PublicKeyInvalidError):
        raise InvalidInput(
            "the signature does not verify against your account key (SEP-53 over the "
            "exact message; see docs/api.md)",
            code=code,
        ) from None


def _keep(
    session: Session, kind: str, subject: str, signed: Signed, message: bytes, now: int
) -> None:
    session.add(
        SignedMessage(
            kind=kind,
            subject=subject,
            account=signed.account,
            nonce=signed.nonce,
            message=message.decode(),
            signature=signed.signature,
            signed_at=now,
        )
    )
    session.flush()


def _vote_view(session: Session, proposal: Proposal, voter: str) -> dict[str, Any]:
    v = proposal.votes[voter]
    row = session.get(SignedMessage, ("vote", str(proposal.id), voter, v.nonce))
    return {
        "proposal_id": proposal.id,
        "voter": voter,
        "choice": v.choice.value,
        "reason": v.reason,
        "nonce": v.nonce,
        "cast_at": v.cast_at,
        "message_hash": v.message_hash,
        "message": row.message if row is not None else None,
        "signature": row.signature if row is not None else None,
    }


def proposal_view(session: Session, p: Proposal, with_votes: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": p.id,
        "kind": p.kind.value,
        "proposer": p.proposer,
        "target": p.target,
        "value": p.value,
        "recipient": p.recipient,
        "asset": asset_text(p.asset) if p.asset is not None else None,
        "description": p.description,
        "status": p.status.value,
        "start_ledger": p.start_ledger,
        "created_at": p.created_at,
        "freeze_at": p.freeze_at,
        "voting_ends_at": p.voting_ends_at,
        "quorum_bps": p.quorum_bps,
        "support_bps": p.support_bps,
        "snapshot_recorded": p.snapshot is not None,
        "votes_cast": len(p.votes),
        "tally": None,
        "executable_at": p.executable_at,
        "executed_at": p.executed_at,
    }
    if p.tally is not None:
        t = p.tally
        view["tally"] = {
            "yes": t.yes,
            "no": t.no,
            "abstain": t.abstain,
            "total_supply": t.total_supply,
            "quorum_met": t.quorum_met,
            "passed": t.passed,
        }
    if with_votes:
        view["votes"] = [_vote_view(session, p, voter) for voter in sorted(p.votes)]
    return view
