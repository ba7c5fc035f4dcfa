"""Resending is safe: whatever part of an honest stream is sent again, in whatever order
and batches, every resent receipt is success and the node's counts do not move; a resent
receipt whose bytes were changed is never success."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stellar_sdk import Keypair

from servicelayer.ingest import IngestPolicy, ingest_batch, queries
from servicelayer.receipts.peer import SUCCESS_STATUSES, ReceiptSigner
from servicelayer.storage.db import Database
from tests.support import PASSPHRASE

pytestmark = pytest.mark.integration

START = 1_800_000_000  # a window boundary, epoch 500000 with 3600 s epochs
NOW = START + 1800
DOWNLOADER = ReceiptSigner(Keypair.from_raw_ed25519_seed(bytes(32)), PASSPHRASE)
UPLOADER = Keypair.from_raw_ed25519_seed(bytes([1]) * 32).public_key
POLICY = IngestPolicy(
    DOWNLOADER.network_id,
    clock_skew_seconds=120,
    retention_seconds=86_400,
    max_bytes_per_second=125_000_000,
)
SESSIONS = itertools.count(1)  # every example signs its own stream


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'resend.sqlite3'}")
        db.upgrade()
        yield db
        db.dispose()


steps = st.lists(
    st.tuples(st.sampled_from([0, 0, 60, 120]), st.integers(min_value=0, max_value=5_000)),
    min_size=1,
    max_size=8,
)


def _submit(database: Database, batch: list[dict[str, object]]) -> list[str]:
    with database.session(write=True) as session:
        results = ingest_batch(session, batch, POLICY, NOW)
    return [r.status.value if r.reason is None else r.reason for r in results]


def _uploaded(database: Database) -> tuple[int, int]:
    with database.session() as session:
        usage = queries.usage(session, UPLOADER, START // 3600, 3600)
    return usage.uploaded_bytes, usage.receipts


@given(
    plan=steps,
    cut=st.integers(min_value=0, max_value=8),
    resend=st.data(),
)
@settings(max_examples=40, deadline=None)
def test_resending_any_part_of_an_honest_stream_is_success_and_changes_nothing(
    database: Database,
    plan: list[tuple[int, int]],
    cut: int,
    resend: st.DataObject,
) -> None:
    stream = DOWNLOADER.bandwidth_session(UPLOADER, bytes(20), START)
    stream.session = next(SESSIONS).to_bytes(16, "big")
    window, total, sent = START, 2, []
    for advance, grow in plan:
        window, total = window + advance, total + grow
        sent.append(DOWNLOADER.wire(stream.update(total, window)))
    cut = min(cut, len(sent))
    first = _submit(database, sent[:cut]) if cut else []
    first += _submit(database, sent[cut:]) if sent[cut:] else []
    assert first == ["accepted"] * len(sent)
    counted = _uploaded(database)

    again = resend.draw(st.permutations(sent).flatmap(lambda p: st.lists(st.sampled_from(p))))
    if again:
        assert set(_submit(database, again)) <= SUCCESS_STATUSES
    lowered = {k: v for k, v in sent[0].items() if k != "id"} | {"bytes": sent[0]["bytes"] - 1}
    assert _submit(database, [lowered]) == ["bad_signature"]  # covered, but not as signed
    assert _uploaded(database) == counted
