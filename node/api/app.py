"""The FastAPI application factory: routes, error handlers, the body limit, the last-resort
guard (node/api/middleware.py)."""

from __future__ import annotations

from fastapi import FastAPI

from node.api.errors import install_error_handlers
from node.api.middleware import BodyLimit, RequestGuard
from node.api.openapi import install_openapi
from node.api.routes import (
    assets,
    auth,
    catalog,
    epochs,
    federation,
    governance,
    health,
    payperuse,
    receipts,
    registrations,
    subscriptions,
)
from node.api.routes.health import VERSION
from node.api.state import NodeState


def create_app(state: NodeState) -> FastAPI:
    app = FastAPI(
        title="Ace service-layer node",
        version=VERSION,
        description=(
            "Ingests signed bandwidth, viewing and CDN receipts from peers. "
            'Errors are `{"error": code, "detail": message}` with a stable code.'
        ),
    )
    app.state.node = state
    install_error_handlers(app)
    # outermost last: RequestGuard sees everything BodyLimit and the routes do
    settings = state.settings
    app.add_middleware(
        BodyLimit, max_body_bytes=settings.max_body_bytes, drain_bytes=settings.http.drain_bytes
    )
    app.add_middleware(RequestGuard)
    app.include_router(health.router)
    app.include_router(federation.router)
    app.include_router(receipts.router)
    app.include_router(epochs.router)
    app.include_router(registrations.router)
    app.include_router(auth.router)
    app.include_router(catalog.router)
    app.include_router(subscriptions.router)
    app.include_router(payperuse.router)
    app.include_router(governance.router)
    app.include_router(assets.router)
    install_openapi(app, federated=state.federation is not None)
    return app
