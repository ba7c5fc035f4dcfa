"""DAO governance: proposals, SEP-53 signed votes and delegations, voting power."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from node.api.auth import Writer, writer
from node.api.errors import WRITE_ERRORS, documented
from node.api.models.common import ACCOUNT_PATTERN, MAX_PROPOSAL_ID
from node.api.models.governance import (
    DelegationIn,
    DelegationOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    VoteIn,
    VoteOut,
    VotingPowerOut,
)
from node.api.state import NodeState, node_state
from servicelayer.services import governance as gov

router = APIRouter(tags=["governance"])
ProposalId = Path(ge=1, le=MAX_PROPOSAL_ID, description="Proposal id")


@router.get(
    "/v1/proposals",
    response_model=list[ProposalOut],
    summary="Proposals, newest first",
    responses=documented(422, 503),
)
def list_proposals(
    status: str | None = Query(
        None, pattern="^(active|passed|failed|cancelled|executed)$", description="Filter"
    ),
    node: NodeState = Depends(node_state),
) -> list[ProposalOut]:
    with node.database.session() as s:
        return [ProposalOut.model_validate(p) for p in gov.list_proposals(node.runtime, s, status)]


@router.get(
    "/v1/proposals/{proposal_id}",
    response_model=ProposalDetailOut,
    summary="A proposal with every vote, its message and signature",
    responses=documented(404, 422, 503),
)
def get_proposal(
    proposal_id: int = ProposalId, node: NodeState = Depends(node_state)
) -> ProposalDetailOut:
    with node.database.session() as s:
        return ProposalDetailOut.model_validate(gov.get_proposal(node.runtime, s, proposal_id))


@router.post(
    "/v1/proposals",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose (you are the proposer; members only)",
    description="The proposal weighs votes by balances at `start_ledger`, the ledger the "
    "node is at (on a federation: the last ledger closed when it was sealed). Votes open "
    "once the balance snapshot for it is recorded. On a federation, an executed `mint` "
    "is paid by the token's issuer in the settlement plan of the epoch after the close "
    "that executed it.",
    responses=WRITE_ERRORS,
)
def propose(body: ProposalIn, w: Writer = Depends(writer)) -> JSONResponse:
    federated = w.node.federation is not None
    draft = gov.ProposalDraft(
        body.kind, body.target, body.value, body.recipient, body.asset, body.description
    )
    ledger = w.ledger()
    return w.run(
        body,
        lambda s, ctx: gov.propose(
            w.node.runtime, s, ctx, w.account, draft, ledger, weigh=not federated
        ),
        201,
    )


@router.post(
    "/v1/proposals/{proposal_id}/votes",
    response_model=VoteOut,
    status_code=201,
    summary="Vote with a SEP-53 signature over the vote message",
    description="Sign `vote_message(network_passphrase, proposal_id, choice, "
    "sha256(reason) or '-', nonce)` (see docs/api.md) with `Keypair.sign_message`. "
    "A signature that does not verify against your account is 422 `bad_vote_signature`.",
    responses=WRITE_ERRORS,
)
def vote(body: VoteIn, proposal_id: int = ProposalId, w: Writer = Depends(writer)) -> JSONResponse:
    signed = gov.Signed(w.account, body.nonce, body.signature)
    passphrase = w.node.settings.network_passphrase
    return w.run(
        body,
        lambda s, ctx: gov.vote(
            w.node.runtime, s, ctx, passphrase, proposal_id, body.choice, body.reason, signed
        ),
        201,
    )


@router.post(
    "/v1/delegations",
    response_model=DelegationOut,
    status_code=201,
    summary="Delegate your voting weight (SEP-53 signed), or revoke with an empty delegate",
    responses=WRITE_ERRORS,
)
def delegate(body: DelegationIn, w: Writer = Depends(writer)) -> JSONResponse:
    signed = gov.Signed(w.account, body.nonce, body.signature)
    passphrase = w.node.settings.network_passphrase
    ledger = w.ledger()
    return w.run(
        body,
        lambda s, ctx: gov.delegate(
            w.node.runtime, s, ctx, passphrase, body.delegate, signed, ledger
        ),
        201,
    )


@router.get(
    "/v1/accounts/{account}/voting-power",
    response_model=VotingPowerOut,
    summary="An account's weight in each open proposal, and its delegate",
    responses=documented(422, 503),
)
def voting_power(
    account: str = Path(pattern=ACCOUNT_PATTERN), node: NodeState = Depends(node_state)
) -> VotingPowerOut:
    with node.database.session() as s:
        return VotingPowerOut.model_validate(gov.power(node.runtime, s, account, node.clock()))
