"""The FastAPI application factory: routes, error handlers, body limit."""

from __future__ import annotations

from fastapi import FastAPI

from node.api.errors import install_error_handlers
from node.api.limits import BodyLimit
from node.api.routes import health, receipts
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
    app.include_router(health.router)
    app.include_router(receipts.router)
    app.add_middleware(BodyLimit, max_bytes=state.settings.max_body_bytes)
    return app
