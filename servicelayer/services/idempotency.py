"""Idempotency-Key: a retried mutation gets the stored response and changes nothing.

The key is scoped to the signed-in account. The request is identified by a fingerprint
(SHA-256 of method, path and canonical JSON body). The response and the contract actions
are written in one transaction, so "applied" and "response stored" are the same fact.
Only successful responses are stored: a refused request changed nothing, and retrying it
with the same key runs it again.

A federation validator's writes apply when their epoch closes (``servicelayer.federation
.writes``): the validator that seals one stores ``PENDING`` (202) under its key, so a
retry gets that answer instead of sealing it again; when the write applies, its answer
replaces it, a refusal included (``settle``), since the write was agreed and cannot be
run again.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.orm import Session

from servicelayer.errors import Conflict, InvalidInput
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.api_models import IdempotentRequest
from servicelayer.storage.db import Database

_KEY = re.compile(r"[\x21-\x7e]{1,255}")
T = TypeVar("T")
KEEP_SECONDS = 24 * 3600  # a client may retry with the same key for at least this long
PENDING = 202


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    replayed: bool = False


def check_key(key: str | None) -> str:
    if key is None or key == "":
        raise InvalidInput(
            "this request changes state: send an Idempotency-Key header",
            code="idempotency_key_required",
        )
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            "Idempotency-Key must be 1-255 printable ASCII characters without spaces",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Mutation:
    account: str
    key: str
    fingerprint: str
    now: int


class IdempotentRunner:
    """Runs mutations one at a time, each in one write transaction with its stored answer."""

    def __init__(self, database: Database, runtime: ContractRuntime) -> None:
        self.database = database
        self.runtime = runtime
        self._lock = threading.Lock()

    def run(self, m: Mutation, work: Callable[[Session], tuple[int, Any]]) -> Response:
        with self.transaction() as session:
            answer = stored(session, m)
            if answer is not None:
                return answer
            status, body = work(session)
            store(session, m, status, body)
            return Response(status, body)

    def settle(
        self, session: Session, m: Mutation, work: Callable[[Session], tuple[int, Any]]
    ) -> Response:
        """Apply an agreed write in the caller's transaction (``transaction``) unless its
        key already has a final answer. Work that raises is rolled back to a savepoint and
        the caller stores its refusal (``store``)."""
        answer = stored(session, m)
        if answer is not None and answer.status != PENDING:
            return answer
        with self.runtime.transaction(), session.begin_nested():
            status, body = work(session)
        store(session, m, status, body)
        return Response(status, body)

    def write(self, work: Callable[[Session], T]) -> T:
        """``work`` in one write transaction, one at a time with the API's mutations: for a
        job's contract actions, which share the runtime's cached states with them."""
        with self.transaction() as session:
            return work(session)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction, one at a time with the API's mutations; the runtime's
        cached states go back to what they were if it fails."""
        with (
            self._lock,
            self.runtime.transaction(),
            self.database.session(write=True) as session,
        ):
            yield session


def store(session: Session, m: Mutation, status: int, body: Any) -> None:
    """Keep ``body`` as the answer to ``m`` (replacing a ``PENDING`` one)."""
    session.merge(
        IdempotentRequest(
            account=m.account,
            key=m.key,
            fingerprint=m.fingerprint,
            status=status,
            body=json.dumps(body, separators=(",", ":")),
            created_at=m.now,
        )
    )


def stored(session: Session, m: Mutation) -> Response | None:
    """The answer stored for ``m``'s key (raises ``Conflict`` for another request's)."""
    row = session.get(IdempotentRequest, (m.account, m.key))
    if row is None:
        return None
    if row.fingerprint != m.fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different request; use a new key",
            code="idempotency_key_reused",
        )
    return Response(row.status, json.loads(row.body), replayed=True)


def prune(session: Session, now: int, keep_seconds: int = KEEP_SECONDS) -> int:
    """Forget stored answers older than ``keep_seconds`` (a periodic job calls this)."""
    result = session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < now - keep_seconds)
    )
    return int(getattr(result, "rowcount", 0) or 0)
