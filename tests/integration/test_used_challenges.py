"""Single-use sign-in challenges in the database: the first exchange of a nonce wins, on
SQLite and PostgreSQL, also when several exchanges race; expired nonces are forgotten."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from servicelayer.auth.challenges import spend
from servicelayer.auth.sep10 import SignedChallenge
from servicelayer.storage.api_models import UsedChallenge
from servicelayer.storage.db import Database
from tests.conftest import BACKENDS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True),
]
ACCOUNT = "G" + "A" * 55
NOW = 1_800_000_000


def challenge(nonce: str, expires_at: int = NOW + 300) -> SignedChallenge:
    return SignedChallenge(ACCOUNT, nonce.ljust(64, "="), expires_at)


def spent(db: Database, c: SignedChallenge, now: int = NOW) -> bool:
    with db.session(write=True) as s:
        return spend(s, c, now)


def nonces(db: Database) -> list[str]:
    with db.session() as s:
        return [n.rstrip("=") for n in s.scalars(select(UsedChallenge.nonce).order_by("nonce"))]


def test_a_nonce_is_spent_once_and_forgotten_after_its_time_bounds(db: Database) -> None:
    assert spent(db, challenge("a", expires_at=NOW + 10)) is True
    assert spent(db, challenge("a", expires_at=NOW + 10)) is False
    assert spent(db, challenge("b", expires_at=NOW + 500), now=NOW + 10) is True
    assert nonces(db) == ["a", "b"]  # "a" is still valid at its max time
    assert spent(db, challenge("c"), now=NOW + 11) is True
    assert nonces(db) == ["b", "c"]


def test_racing_exchanges_of_one_nonce_spend_it_once(db: Database) -> None:
    results: list[bool] = []
    start = threading.Barrier(6)

    def race() -> None:
        start.wait()
        results.append(spent(db, challenge("raced")))

    threads = [threading.Thread(target=race) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [False] * 5 + [True]
