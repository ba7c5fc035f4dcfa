"""Request dependencies: the signed-in account (JWT), the Idempotency-Key of writes, and
``own_account`` for the reads of one account's private history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Header, Path, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from contracts.core import Context
from node.api.limits import write_limit
from node.api.models.common import ACCOUNT_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.errors import Forbidden, Unauthorized
from servicelayer.services.common import api_context
from servicelayer.services.idempotency import Mutation, check_key, fingerprint

# Declares the bearer scheme in the OpenAPI document (every write and private read requires
# it); auto_error=False: our own 401 with the JSON error body. ``signed_in`` reads the header
# itself, so a missing or malformed one keeps its own message.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="`Bearer <token>` from `POST /v1/auth` (SEP-10 sign-in); lasts one hour",
)
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = "^[!-~]{1,255}$"  # the printable ASCII of check_key, no spaces


def signed_in(
    request: Request,
    _: HTTPAuthorizationCredentials | None = Security(bearer),
    node: NodeState = Depends(node_state),
) -> str:
    """The account the bearer token was issued to."""
    authorization = request.headers.get("authorization")
    if authorization is None:
        raise Unauthorized("sign in first: send Authorization: Bearer <token> (see /v1/auth)")
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be `Bearer <token>`")
    return node.tokens.account_of(token.strip(), node.clock())


PRIVATE = "Private to the account: needs `Authorization: Bearer <token>` of that account."


def own_account(
    account: str = Path(pattern=ACCOUNT_PATTERN, description="Stellar account G..."),
    credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    node: NodeState = Depends(node_state),
) -> str:
    """The ``{account}`` of a private read, when the bearer token was issued to it.

    An account's statement, purchases, subscriptions and usage are its viewing history:
    401 without a token, 403 ``not_your_account`` with another account's token.
    """
    if credentials is None:
        raise Unauthorized(
            "this is an account's private history: send Authorization: Bearer <token> "
            "of that account (see /v1/auth)"
        )
    signed = node.tokens.account_of(credentials.credentials.strip(), node.clock())
    if signed != account:
        raise Forbidden(f"signed in as {signed}, not as {account}", code="not_your_account")
    return account


def idempotency_key(
    key: str | None = Header(
        None,
        alias=IDEMPOTENCY_KEY,
        description="Required. 1-255 printable ASCII characters without spaces, unique per "
        "intended change; a retry with the same key and body returns the first answer. "
        "Missing: 422 `idempotency_key_required`; malformed: 422 `invalid_idempotency_key`",
    ),
) -> str:
    # Optional here so a missing key keeps its own error code; node.api.openapi marks it
    # required in the document, which is what the node enforces.
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
