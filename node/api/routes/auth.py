"""SEP-10 sign-in: get a challenge, sign it with your account key, exchange it for a token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from node.api.errors import documented
from node.api.limits import sign_in_limit
from node.api.models.auth import ChallengeOut, SignedChallengeIn, TokenOut
from node.api.models.common import ACCOUNT_FORMAT, ACCOUNT_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.auth import challenges

router = APIRouter(tags=["sign-in"])


@router.get(
    "/v1/auth",
    response_model=ChallengeOut,
    summary="A SEP-10 challenge for an account",
    description="Sign the returned transaction with the account's key and POST it back.",
    responses=documented(422, 429),
)
def challenge(
    account: str = Query(
        pattern=ACCOUNT_PATTERN,
        description="Stellar account G... (SEP-23 strkey; a bad checksum is 422 `invalid_account`)",
        json_schema_extra={"format": ACCOUNT_FORMAT},
    ),
    node: NodeState = Depends(node_state),
    _: str = Depends(sign_in_limit),
) -> ChallengeOut:
    return ChallengeOut(
        transaction=node.sep10.challenge(account),
        network_passphrase=node.settings.network_passphrase,
    )


@router.post(
    "/v1/auth",
    response_model=TokenOut,
    summary="Exchange a signed SEP-10 challenge for a token (1 hour)",
    description="A challenge is single use: exchanging it again is 401 `challenge_used`. "
    "Refused sign-ins are counted per client address and per account; past "
    "`[limits] failed_sign_in_per_*` the answer is 429 `rate_limited` with `Retry-After`.",
    responses=documented(400, 401, 422, 429),
)
def token(
    body: SignedChallengeIn,
    node: NodeState = Depends(node_state),
    address: str = Depends(sign_in_limit),
) -> TokenOut:
    signin = challenges.SignIn(node.sep10, node.tokens, node.database, node.throttle)
    account, jwt, expires_at = challenges.exchange(signin, body.transaction, address, node.clock())
    return TokenOut(token=jwt, expires_at=expires_at, account=account)
