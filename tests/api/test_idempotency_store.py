"""The stored answers of Idempotency-Key, on both (migrated) databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelayer.errors import Conflict
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.idempotency import IdempotentRunner, Mutation, prune
from servicelayer.storage.db import Database
from tests.conftest import BACKENDS


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_answers_are_replayed_until_pruned(db: Database) -> None:
    runner = IdempotentRunner(db, ContractRuntime([load_spec(n) for n in DEFAULT_CONTRACTS]))
    runs: list[int] = []

    def work(_: Session) -> tuple[int, Any]:
        runs.append(1)
        return 201, {"n": len(runs)}

    first = runner.run(Mutation("GA", "k", "f" * 64, now=1000), work)
    again = runner.run(Mutation("GA", "k", "f" * 64, now=2000), work)
    assert (again.status, again.body, again.replayed) == (201, {"n": 1}, True)
    assert first.body == again.body and len(runs) == 1
    with pytest.raises(Conflict):
        runner.run(Mutation("GA", "k", "e" * 64, now=2000), work)
    with db.session(write=True) as session:
        assert prune(session, now=1000 + 24 * 3600 - 1) == 0
        assert prune(session, now=1000 + 24 * 3600 + 1) == 1
    later = runner.run(Mutation("GA", "k", "f" * 64, now=90_000), work)
    assert (later.body, later.replayed) == ({"n": 2}, False)
