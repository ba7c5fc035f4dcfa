from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Path

from node.api.errors import documented
from node.api.limits import ingest_limit
from node.api.models.common import ACCOUNT_PATTERN
from node.api.models.registrations import RegisteredOut, RegistrationIn, RegistrationOut
from node.api.state import NodeState, node_state
from servicelayer.probes import registry

router = APIRouter(tags=["registrations"])


@router.post(
    "/v1/registrations",
    response_model=RegisteredOut,
    summary="Bind swarm endpoints to a Stellar account (a signed registration)",
    description="The JSON form of docs/registration.md. A newer `seq` replaces the stored "
    "registration; resubmitting the stored one answers `unchanged` (both 200: the account's "
    "one registration is set). A bad signature, an expired or foreign-network registration "
    "is 422 with its code.",
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
    registration: Any = Body(..., include_in_schema=False),
    node: NodeState = Depends(node_state),
) -> RegisteredOut:
    with node.database.session(write=True) as session:
        result = registry.register(session, registration, node.policy.network_id, node.clock())
    return RegisteredOut(**asdict(result))


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
