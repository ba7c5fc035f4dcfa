"""SEP-10 sign-in: get a challenge, sign it with your account key, exchange it for a token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from node.api.errors import documented
from node.api.models.auth import ChallengeOut, SignedChallengeIn, TokenOut
from node.api.models.common import ACCOUNT_FORMAT, ACCOUNT_PATTERN
from node.api.state import NodeState, node_state

router = APIRouter(tags=["sign-in"])


@router.get(
    "/v1/auth",
    response_model=ChallengeOut,
    summary="A SEP-10 challenge for an account",
    description="Sign the returned transaction with the account's key and POST it back.",
    responses=documented(422),
)
def challenge(
    account: str = Query(
        pattern=ACCOUNT_PATTERN,
        description="Stellar account G... (SEP-23 strkey; a bad checksum is 422 `invalid_account`)",
        json_schema_extra={"format": ACCOUNT_FORMAT},
    ),
    node: NodeState = Depends(node_state),
) -> ChallengeOut:
    return ChallengeOut(
        transaction=node.sep10.challenge(account),
        network_passphrase=node.settings.network_passphrase,
    )


@router.post(
    "/v1/auth",
    response_model=TokenOut,
    summary="Exchange a signed SEP-10 challenge for a token (1 hour)",
    responses=documented(400, 401, 422),
)
def token(body: SignedChallengeIn, node: NodeState = Depends(node_state)) -> TokenOut:
    account = node.sep10.verify(body.transaction)
    jwt, expires_at = node.tokens.issue(account, node.clock())
    return TokenOut(token=jwt, expires_at=expires_at, account=account)
