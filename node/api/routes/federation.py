"""The federation: what this node knows of it (the validator set, the members it names,
who leads the epochs around now, who signed what it asked), and the endpoint through which
a leader asks this validator to sign (docs/federation.md)."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from sqlalchemy import select

from node.api.errors import documented
from node.api.limits import federation_limit
from node.api.models.common import ACCOUNT_PATTERN
from node.api.schemas import (
    BatchesOut,
    ClosingOut,
    FederationMemberOut,
    FederationOut,
    InputSetOut,
    LeaderOut,
    SignatureOut,
    SignRequestIn,
    VoteOut,
)
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of
from servicelayer.errors import Conflict, NotFound
from servicelayer.federation.batches import held
from servicelayer.federation.cosigning import KINDS, Refusal
from servicelayer.federation.members import leader
from servicelayer.federation.messages import member_of, open_message
from servicelayer.storage.federation_models import InputSet, Vote

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
        closing=_closing(node),
    )


def _closing(node: NodeState) -> ClosingOut | None:
    if node.federation is None or node.federation.validator.closing is None:
        return None
    epoch, waits = node.federation.validator.closing
    return ClosingOut(epoch=epoch, waits=waits)


@router.post(
    "/v1/federation/sign",
    response_model=SignatureOut,
    summary="A leader asks this validator to sign an epoch's input set, anchor or payment",
    description="The body is a federation message (docs/federation.md) of kind `sign`, "
    "signed by the validator leading the epoch's round. This validator rebuilds the "
    "transaction from the epoch it computed itself and signs its hash only if every byte "
    "matches; otherwise 409 with the reason (`not_ready`, `root_mismatch`, `plan_mismatch`, "
    "`wrong_slot`, `not_anchored`, `hash_mismatch`, `not_leader`, `fee_too_high`, "
    "`missing_batch`, `batch_left_out`).",
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
    _federated(node)
    assert node.federation is not None
    validators = node.settings.stellar.validators
    message = open_message(wire, node.settings.network_passphrase, validators, KINDS)
    answer = node.federation.follower.answer(message)
    if isinstance(answer, Refusal):
        raise Conflict(answer.detail, code=answer.code)
    return SignatureOut(**answer)


@router.get(
    "/v1/federation/batches/{sealer}",
    response_model=BatchesOut,
    summary="A validator's sealed batches of receipts and writes held here, from a number on",
    description="How validators relay receipts and signed writes to each other "
    '(docs/federation.md, "Agreed inputs"): each batch is signed by its sealer, so whoever '
    "serves it cannot change it. Validators only (the writes are accounts' own): "
    "`Authorization: Ace-Member <base64 of a signed pull message>`, else 401 `not_member`.",
    responses=documented(401, 409, 422, 429, 503),
    dependencies=[Depends(federation_limit)],
)
def batches(
    request: Request,
    sealer: str = Path(pattern=ACCOUNT_PATTERN),
    start: int = Query(0, alias="from", ge=0, le=1 << 62),
    limit: int = Query(100, ge=1, le=100),
    node: NodeState = Depends(node_state),
) -> BatchesOut:
    _federated(node)
    member_of(
        request.headers.get("authorization", ""),
        node.settings.network_passphrase,
        node.settings.stellar.validators,
        node.clock(),
    )
    assert node.federation is not None
    relay = node.federation.relay
    # this validator's own batches under its sealing lock: a pull it answers after a
    # cut-off has every batch it sealed before it (``SEALING_MARGIN_SECONDS``)
    own = relay.sealing if sealer == relay.keypair.public_key else nullcontext()
    with own, node.database.session() as session:
        found, more = held(session, sealer, start, limit)
    return BatchesOut(batches=found, more=more)


@router.get(
    "/v1/federation/inputs/{digest}",
    response_model=InputSetOut,
    summary="An input set proposed for an epoch, by its hash",
    description="The agreed one is the one whose hash the anchor account's `ace.inputs` "
    "entry holds for that epoch (docs/federation.md).",
    responses=documented(404, 409, 422, 429, 503),
    dependencies=[Depends(federation_limit)],
)
def input_set(
    digest: str = Path(pattern="^[0-9a-f]{64}$"),
    node: NodeState = Depends(node_state),
) -> InputSetOut:
    _federated(node)
    with node.database.session() as session:
        row = session.get(InputSet, digest)
        if row is None:
            raise NotFound(f"no input set {digest[:12]}... here", code="unknown_inputs")
        snapshot = None if row.snapshot is None else json.loads(row.snapshot)
        return InputSetOut(epoch=row.epoch, sets=json.loads(row.body), snapshot=snapshot)


def _federated(node: NodeState) -> None:
    if node.federation is None:
        raise Conflict("this node is not a member of a federation", code="not_federated")
