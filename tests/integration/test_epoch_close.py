"""Closing epochs freezes their receipts, in order, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from servicelayer.epochs.closing import close_epoch, next_to_close
from servicelayer.errors import Conflict
from servicelayer.storage import epochs_repo
from servicelayer.storage.db import Database
from tests.conftest import BACKENDS
from tests.integration.test_ingest_storage import INFOHASH, NOW, submit
from tests.support import make_signer

pytestmark = pytest.mark.integration
both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
EPOCH = NOW // 3600  # NOW is the middle of this epoch


@both_databases
def test_the_first_epoch_to_close_is_the_earliest_receipts_once_it_is_over(db: Database) -> None:
    viewer = make_signer()
    old = viewer.wire(viewer.viewing_session(INFOHASH, NOW - 3660).update(60, NOW - 3600))
    assert submit(db, [old]) == [("accepted", None)]
    with db.session() as s:
        assert next_to_close(s, 3600, NOW, grace=300) == EPOCH - 1
        assert next_to_close(s, 3600, (EPOCH * 3600) + 100, grace=300) is None  # in grace


@both_databases
def test_a_closed_epoch_refuses_new_receipts_and_keeps_its_count(db: Database) -> None:
    viewer = make_signer()
    session = viewer.viewing_session(INFOHASH, NOW - 3660)
    first = viewer.wire(session.update(60, NOW - 3600))
    assert submit(db, [first]) == [("accepted", None)]
    with db.session(write=True) as s:
        record = close_epoch(s, EPOCH - 1, 3600, NOW)
    assert record.receipts == 1 and record.status == "closed"
    late = viewer.wire(make_signer().viewing_session(INFOHASH, NOW - 3660).update(30, NOW - 3600))
    current = viewer.wire(session.update(120, NOW - 60))
    assert submit(db, [late, current]) == [("rejected", "epoch_closed"), ("accepted", None)]
    with db.session(write=True) as s, pytest.raises(Conflict):
        close_epoch(s, EPOCH + 5, 3600, NOW + 99_999)  # epochs close in order
    with db.session(write=True) as s, pytest.raises(Conflict):
        close_epoch(s, EPOCH, 3600, NOW)  # not over yet


@both_databases
def test_only_one_worker_holds_an_epoch(db: Database) -> None:
    with db.session(write=True) as s:
        close_epoch(s, EPOCH - 1, 3600, NOW)
    with db.session(write=True) as s:
        assert epochs_repo.acquire_lease(s, EPOCH - 1, "a", NOW, ttl=60)
    with db.session(write=True) as s:
        assert not epochs_repo.acquire_lease(s, EPOCH - 1, "b", NOW + 10, ttl=60)
        assert epochs_repo.acquire_lease(s, EPOCH - 1, "b", NOW + 61, ttl=60)  # expired


@pytest.mark.parametrize("database_url", [BACKENDS[1]], indirect=True)
def test_close_waits_for_an_ingest_batch_in_flight(db: Database) -> None:
    """PostgreSQL only: SQLite has a single writer, so nothing can interleave there."""
    with db.session(write=True) as ingesting:
        epochs_repo.guard_close(ingesting, closing=False)  # a batch holds the shared lock
        with db.session(write=True) as closing:
            closing.execute(text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                close_epoch(closing, EPOCH - 1, 3600, NOW)
