from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Response

from node.api.errors import documented
from node.api.limits import ingest_limit
from node.api.models.common import ACCOUNT_PATTERN
from node.api.models.registrations import RegisteredOut, RegistrationIn, RegistrationOut
from node.api.state import NodeState, node_state
from servicelayer.federation.batches import seal_batch
from servicelayer.probes import registry
from servicelayer.probes.registration import accept_json
from servicelayer.storage import registrations_repo

router = APIRouter(tags=["registrations"])


@router.post(
    "/v1/registrations",
    response_model=RegisteredOut,
    summary="Bind swarm endpoints to a Stellar account (a signed registration)",
    description="The JSON form of docs/registration.md. A newer `seq` replaces the stored "
    "registration; resubmitting the stored one answers `unchanged` (both 200: the account's "
    "one registration is set). A bad signature, an expired or foreign-network registration "
    "is 422 with its code. On a federation validator a valid registration is sealed into "
    "its next batch (202 `sealed`) and registered on every validator when the epoch closes "
    "(docs/federation.md).",
    responses=documented(400, 409, 413, 422, 429, 503),
    dependencies=[Depends(ingest_limit)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RegistrationIn.model_json_schema()}},
        }
    },
)
def register(
    # Read as plain JSON and checked by the registry, which gives each fault its own code
    # (docs/registration.md); RegistrationIn documents exactly what it accepts.
    response: Response,
    registration: Any = Body(..., include_in_schema=False),
    node: NodeState = Depends(node_state),
) -> RegisteredOut:
    if node.federation is not None:
        response.status_code = 202
        return _seal(node, registration)
    with node.database.session(write=True) as session:
        result = registry.register(session, registration, node.policy.network_id, node.clock())
    return RegisteredOut(**asdict(result))


def _seal(node: NodeState, registration: Any) -> RegisteredOut:
    """A federation validator seals a registration that checks out (signature, network,
    expiry, newer than the one registered) into its next batch."""
    assert node.federation is not None
    relay, net = node.federation.relay, node.policy.network_id
    with relay.sealing, node.database.session(write=True) as session:
        now = node.clock()
        reg = accept_json(registration, net, now=now).registration
        registry.refuse_stale(reg, registrations_repo.get(session, reg.account_id))
        seal_batch(session, relay.keypair, relay.passphrase, now, registrations=[registration])
    return RegisteredOut(account=reg.account_id, seq=reg.seq, status="sealed")


@router.get(
    "/v1/registrations/{account}",
    response_model=RegistrationOut,
    summary="An account's registration, with its signature, so anyone can check it",
    responses=documented(404, 422, 503),
)
def get_registration(
    account: str = Path(pattern=ACCOUNT_PATTERN, description="Stellar account G..."),
    node: NodeState = Depends(node_state),
) -> dict[str, Any]:
    with node.database.session() as session:
        return registry.registration_json(session, account, node.policy.network_id)
