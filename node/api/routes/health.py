from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from node.api.schemas import HealthOut
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of
from servicelayer.receipts.model import WINDOW_SECONDS
from servicelayer.watcher.service import followed

router = APIRouter(tags=["node"])
VERSION = "0.1.0"


@router.get(
    "/v1/health",
    response_model=HealthOut,
    summary="Liveness, network and limits",
    responses={503: {"model": HealthOut, "description": "The database is unavailable"}},
)
def health(node: NodeState = Depends(node_state)) -> JSONResponse:
    s = node.settings
    now = node.clock()
    db_ok = node.database.ping()
    head = None
    if db_ok:
        with node.database.session() as session:
            head = followed(session)
    body = HealthOut(
        status="ok" if db_ok else "degraded",
        version=VERSION,
        node_account=node.node_account,
        network_passphrase=s.network_passphrase,
        network_id=node.policy.network_id.hex(),
        database="ok" if db_ok else "unavailable",
        time=now,
        epoch=epoch_of(now, s.epoch_seconds),
        epoch_seconds=s.epoch_seconds,
        window_seconds=WINDOW_SECONDS,
        max_batch=s.max_batch,
        max_body_bytes=s.max_body_bytes,
        ledger=head.sequence if head is not None else None,
        ledger_closed_at=head.closed_at if head is not None else None,
    )
    return JSONResponse(body.model_dump(), status_code=200 if db_ok else 503)
