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
from node.api.errors import status_of
from node.api.limits import account_write_limit, write_limit
from node.api.models.common import ACCOUNT_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.epochs.clock import epoch_of
from servicelayer.errors import Forbidden, ServiceLayerError, Unauthorized
from servicelayer.federation.batches import seal_batch
from servicelayer.federation.writes import SCHEME, SignedWrite, from_header
from servicelayer.services.common import api_context
from servicelayer.services.idempotency import (
    PENDING,
    Mutation,
    Response,
    check_key,
    fingerprint,
    store,
    stored,
)

# Declares the bearer scheme in the OpenAPI document (every write and private read requires
# it); auto_error=False: our own 401 with the JSON error body. ``signed_in`` reads the header
# itself, so a missing or malformed one keeps its own message.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="`Bearer <token>` from `POST /v1/auth` (SEP-10 sign-in); lasts one hour. "
    "A federation validator takes writes signed by the account instead: "
    "`Authorization: Ace-Signed ...` (docs/api.md, 'Signed writes')",
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


# Optional here so a missing key keeps its own error code (checked after the signature:
# 401 before 422); node.api.openapi marks it required in the document, as the node enforces.
IdempotencyKeyHeader = Header(
    None,
    alias=IDEMPOTENCY_KEY,
    description="Required. 1-255 printable ASCII characters without spaces, unique per "
    "intended change; a retry with the same key and body returns the first answer. "
    "Missing: 422 `idempotency_key_required`; malformed: 422 `invalid_idempotency_key`",
)


@dataclass(frozen=True)
class Agreed:
    """An agreed write being applied as its epoch closes: the close's transaction and the
    sealing validator's clock when it sealed it."""

    session: Session
    at: int


@dataclass(frozen=True)
class Writer:
    """Everything a mutating route needs: who, which key, the node; on a federation
    validator, the signed write (sealed, not run) or the agreed write being applied."""

    node: NodeState
    account: str
    key: str
    method: str
    path: str
    signed: SignedWrite | None = None
    agreed: Agreed | None = None

    def context(self, now: int) -> Context:
        return api_context(now, self.node.settings.epoch_seconds)

    def ledger(self) -> int:
        """The ledger a governance write is taken at: the one the node follows; for an
        agreed write, the last ledger closed by the time it was sealed (the same on every
        validator; ``LedgerUnavailable`` holds the epoch's close until it can be read)."""
        if self.agreed is None:
            return self.node.ledger_sequence()
        assert self.node.federation is not None
        return self.node.federation.horizon().ledger_at(self.agreed.at)

    def run(
        self,
        body: BaseModel | None,
        work: Callable[[Session, Context], Any],
        status: int = 200,
    ) -> JSONResponse:
        """Run ``work`` once per Idempotency-Key; a retry gets the stored answer. A
        federation validator seals the signed write instead (202), and runs it when its
        epoch closes."""
        plain = body.model_dump(mode="json") if body is not None else None
        digest = fingerprint(self.method, self.path, plain)
        if self.agreed is not None:
            return self._settle(digest, work, status)
        now = self.node.clock()
        mutation = Mutation(self.account, self.key, digest, now)
        if self.signed is not None:
            return self._seal(mutation)
        ctx = self.context(now)
        response = self.node.mutations.run(mutation, lambda s: (status, work(s, ctx)))
        return _answer(response)

    def _seal(self, mutation: Mutation) -> JSONResponse:
        assert self.signed is not None and self.node.federation is not None
        relay = self.node.federation.relay
        with relay.sealing, self.node.database.session(write=True) as session:
            response = stored(session, mutation)
            if response is None:  # sealed at its clock under the lock (SEALING_MARGIN_SECONDS)
                now = self.node.clock()
                batch = seal_batch(
                    session, relay.keypair, relay.passphrase, now, writes=[self.signed]
                )
                body = {
                    "status": "sealed",
                    "detail": "every validator applies it when the epoch it was sealed "
                    "for closes; send the same request to this validator again for its answer",
                    "sealed_by": batch.sealer,
                    "sealed_at": batch.sealed_at,
                    "epoch": epoch_of(batch.sealed_at, self.node.settings.epoch_seconds),
                }
                store(session, mutation, PENDING, body)
                response = Response(PENDING, body)
        return _answer(response)

    def _settle(
        self, digest: str, work: Callable[[Session, Context], Any], status: int
    ) -> JSONResponse:
        assert self.agreed is not None
        session, at = self.agreed.session, self.agreed.at
        mutation = Mutation(self.account, self.key, digest, at)
        ctx = self.context(at)
        try:
            response = self.node.mutations.settle(
                session, mutation, lambda s: (status, work(s, ctx))
            )
        except ServiceLayerError as exc:
            refusal = {"error": exc.code, "detail": exc.detail}
            store(session, mutation, status_of(exc), refusal)
            response = Response(status_of(exc), refusal)
        return _answer(response)


def _answer(response: Response) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if response.replayed else {}
    return JSONResponse(response.body, status_code=response.status, headers=headers)


async def writer(
    request: Request,
    _: HTTPAuthorizationCredentials | None = Security(bearer),
    given_key: str | None = IdempotencyKeyHeader,
    node: NodeState = Depends(node_state),
) -> Writer:
    """The writer of a request: signed in with a token on a node alone; on a federation
    validator, signed by the account itself (``servicelayer.federation.writes``)."""
    method, path = request.method, request.url.path
    if node.federation is None:
        account = signed_in(request, None, node)
        key = check_key(given_key)
        write_limit(request, account, node)
        return Writer(node, account, key, method, path)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        raise Unauthorized(
            "a federation validator takes only writes signed by the account (a sign-in "
            f"token proves nothing to the other validators): send `Authorization: {SCHEME} "
            "...` (docs/api.md, 'Signed writes')",
            code="signed_write_required",
        )
    signed = from_header(authorization, method, path, given_key or "", await request.body())
    key = check_key(given_key)
    write_limit(request, None, node)  # the account's limit once it is proven its write
    signed.check_time(node.clock())
    signed.verify(node.settings.network_passphrase)
    account_write_limit(signed.account, node)
    return Writer(node, signed.account, key, method, path, signed=signed)
