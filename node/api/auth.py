"""Request dependencies for writes: the signed-in account (JWT) and the Idempotency-Key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from contracts.core import Context
from node.api.limits import write_limit
from node.api.state import NodeState, node_state
from servicelayer.errors import Unauthorized
from servicelayer.services.common import api_context
from servicelayer.services.idempotency import Mutation, check_key, fingerprint


def signed_in(
    authorization: str | None = Header(
        None, description="`Bearer <token>` from `POST /v1/auth` (SEP-10 sign-in)"
    ),
    node: NodeState = Depends(node_state),
) -> str:
    """The account the bearer token was issued to."""
    if authorization is None:
        raise Unauthorized("sign in first: send Authorization: Bearer <token> (see /v1/auth)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be `Bearer <token>`")
    return node.tokens.account_of(token.strip(), node.clock())


def idempotency_key(
    key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="1-255 printable characters, unique per intended change; "
        "a retry with the same key and body returns the first answer",
    ),
) -> str:
    return check_key(key)


@dataclass(frozen=True)
class Writer:
    """Everything a mutating route needs: who, which key, the node."""

    node: NodeState
    account: str
    key: str
    request: Request

    def context(self, now: int) -> Context:
        return api_context(now, self.node.settings.epoch_seconds)

    def run(
        self,
        body: BaseModel | None,
        work: Callable[[Session, Context], Any],
        status: int = 200,
    ) -> JSONResponse:
        """Run ``work`` once per Idempotency-Key; a retry gets the stored answer."""
        now = self.node.clock()
        plain = body.model_dump(mode="json") if body is not None else None
        digest = fingerprint(self.request.method, self.request.url.path, plain)
        mutation = Mutation(self.account, self.key, digest, now)
        ctx = self.context(now)
        response = self.node.mutations.run(mutation, lambda s: (status, work(s, ctx)))
        headers = {"Idempotent-Replayed": "true"} if response.replayed else {}
        return JSONResponse(response.body, status_code=response.status, headers=headers)


def writer(
    request: Request,
    account: str = Depends(signed_in),
    key: str = Depends(idempotency_key),
    node: NodeState = Depends(node_state),
) -> Writer:
    write_limit(request, account, node)
    return Writer(node, account, key, request)
