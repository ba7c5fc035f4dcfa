"""Exchanging a signed SEP-10 challenge for a token: single use, and rate limited.

The nonce of every exchanged challenge is kept in the database until the challenge's
time bounds end, so a signed challenge buys one token. The insert is ``ON CONFLICT DO
NOTHING`` on the nonce (the primary key): of two concurrent exchanges of one challenge,
in one process or in several on one database, exactly one inserts the row; the other is
refused with ``challenge_used``.

Refused exchanges count against the client address and, once the challenge is known to
be ours, its account (``[limits] failed_sign_in_per_*``); past either, 429.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from servicelayer.auth.sep10 import Sep10Server, SignedChallenge
from servicelayer.auth.tokens import TokenIssuer
from servicelayer.errors import Unauthorized
from servicelayer.storage.api_models import UsedChallenge
from servicelayer.storage.db import Database
from servicelayer.throttle import Throttle

FAILED = "refused sign-ins"


@dataclass(frozen=True)
class SignIn:
    sep10: Sep10Server
    tokens: TokenIssuer
    database: Database
    throttle: Throttle


def spend(session: Session, challenge: SignedChallenge, now: int) -> bool:
    """Mark ``challenge`` used; False if it was used before. Forgets expired ones."""
    session.execute(delete(UsedChallenge).where(UsedChallenge.expires_at < now))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    row = {
        "nonce": challenge.nonce,
        "account": challenge.account,
        "expires_at": challenge.expires_at,
    }
    insert = dialect.insert(UsedChallenge).values(**row).on_conflict_do_nothing()
    return session.scalar(insert.returning(UsedChallenge.nonce)) is not None


def exchange(signin: SignIn, transaction: str, address: str, now: int) -> tuple[str, str, int]:
    """(account, token, expires_at) for a signed challenge exchanged for the first time."""
    throttle = signin.throttle
    throttle.check("failed_sign_in_per_address", address, f"{FAILED} from this address")
    account = None
    try:
        challenge = signin.sep10.read(transaction)
        account = challenge.account
        throttle.check("failed_sign_in_per_account", account, f"{FAILED} of this account")
        signin.sep10.check_client_signature(transaction)
        with signin.database.session(write=True) as session:
            first = spend(session, challenge, now)
        if not first:
            raise Unauthorized(
                "this challenge was already exchanged for a token; get a new one (GET /v1/auth)",
                code="challenge_used",
            )
    except Unauthorized:
        throttle.hit("failed_sign_in_per_address", address, f"{FAILED} from this address")
        if account is not None:
            throttle.hit("failed_sign_in_per_account", account, f"{FAILED} of this account")
        raise
    token, expires_at = signin.tokens.issue(account, now)
    return account, token, expires_at
