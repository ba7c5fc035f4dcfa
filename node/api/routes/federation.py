"""The federation: what this node knows of it (the validator set, the members it names,
who leads the epochs around now, who signed what it asked), and the endpoint through which
a leader asks this validator to sign (docs/federation.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends
from sqlalchemy import select

from node.api.errors import documented
from node.api.limits import federation_limit
from node.api.schemas import (
    FederationMemberOut,
    FederationOut,
    LeaderOut,
    SignatureOut,
    SignRequestIn,
    VoteOut,
)
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of
from servicelayer.errors import Conflict
from servicelayer.federation.cosigning import KINDS, Refusal
from servicelayer.federation.members import leader
from servicelayer.federation.messages import open_message
from servicelayer.storage.federation_models import Vote

router = APIRouter(tags=["node"])
VOTES_SHOWN = 50


@router.get(
    "/v1/federation",
    response_model=FederationOut,
    summary="The validators, the members this node names, each epoch's leader, who signed",
)
def federation(node: NodeState = Depends(node_state)) -> FederationOut:
    s = node.settings
    validators = sorted(s.stellar.validators or [node.node_account])
    now = epoch_of(node.clock(), s.epoch_seconds)
    with node.database.session() as session:
        votes = session.scalars(select(Vote).order_by(Vote.id.desc()).limit(VOTES_SHOWN)).all()
        shown = [
            VoteOut(
                epoch=v.epoch,
                round=v.round,
                what=v.what,
                tx_hash=v.tx_hash,
                member=v.member,
                outcome=v.outcome,
                code=v.code,
                detail=v.detail,
                at=v.at,
            )
            for v in votes
        ]
    return FederationOut(
        node_account=node.node_account,
        validators=validators,
        threshold=s.stellar.threshold,
        validating=node.node_account in validators,
        members=[FederationMemberOut(account=m.account, url=m.url) for m in s.federation.members],
        round_seconds=s.federation.round_seconds,
        leaders=[
            LeaderOut(epoch=e, round=0, leader=leader(validators, e))
            for e in range(max(0, now - 2), now + 3)
        ],
        votes=shown,
    )


@router.post(
    "/v1/federation/sign",
    response_model=SignatureOut,
    summary="A leader asks this validator to sign an epoch's anchor or one of its payments",
    description="The body is a federation message (docs/federation.md) of kind `sign`, "
    "signed by the validator leading the epoch's round. This validator rebuilds the "
    "transaction from the epoch it computed itself and signs its hash only if every byte "
    "matches; otherwise 409 with the reason (`not_ready`, `root_mismatch`, `plan_mismatch`, "
    "`wrong_slot`, `not_anchored`, `hash_mismatch`, `not_leader`, `fee_too_high`).",
    responses=documented(400, 401, 409, 413, 422, 429, 503),
    dependencies=[Depends(federation_limit)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SignRequestIn.model_json_schema()}},
        }
    },
)
def sign(
    # Read as plain JSON and checked by open_message and the follower, which give each
    # fault its own code; SignRequestIn documents what it accepts.
    wire: Any = Body(..., include_in_schema=False),
    node: NodeState = Depends(node_state),
) -> SignatureOut:
    if node.federation is None:
        raise Conflict("this node is not a member of a federation", code="not_federated")
    validators = node.settings.stellar.validators
    message = open_message(wire, node.settings.network_passphrase, validators, KINDS)
    answer = node.federation.follower.answer(message)
    if isinstance(answer, Refusal):
        raise Conflict(answer.detail, code=answer.code)
    return SignatureOut(**answer)
