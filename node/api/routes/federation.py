"""What this node knows of its federation: the validator set, the members it names, and
who leads the epochs around now (docs/federation.md; the federation is in construction)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from node.api.schemas import FederationMemberOut, FederationOut, LeaderOut
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of
from servicelayer.federation.members import leader

router = APIRouter(tags=["node"])


@router.get(
    "/v1/federation",
    response_model=FederationOut,
    summary="The validators, the members this node names, and each epoch's leader",
)
def federation(node: NodeState = Depends(node_state)) -> FederationOut:
    s = node.settings
    validators = sorted(s.stellar.validators or [node.node_account])
    now = epoch_of(node.clock(), s.epoch_seconds)
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
    )
