"""Ingestion against a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from servicelayer.ingest import IngestPolicy, ingest_batch, queries
from servicelayer.receipts import network_id
from servicelayer.storage.db import Database
from tests.conftest import BACKENDS
from tests.support import PASSPHRASE, make_signer

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True),
]

NOW = 1_800_001_800  # the middle of epoch 500000 (3600 s epochs)
EPOCH = NOW // 3600
POLICY = IngestPolicy(
    network_id(PASSPHRASE),
    clock_skew_seconds=120,
    retention_seconds=86_400,
    max_bytes_per_second=10_000_000,
)
INFOHASH = bytes(range(20))


def submit(db: Database, receipts: list[Any], now: int = NOW) -> list[tuple[str, str | None]]:
    with db.session(write=True) as session:
        results = ingest_batch(session, receipts, POLICY, now)
    return [(r.status.value, r.reason) for r in results]


def test_cumulative_receipts_keep_one_row_per_window(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 600)
    window_one = [downloader.wire(session.update(total, NOW - 120)) for total in (100, 200, 300)]
    window_two = [downloader.wire(session.update(total, NOW - 60)) for total in (400, 900)]
    assert submit(db, window_one + window_two) == [("accepted", None)] * 5
    with db.session() as s:
        # only the latest receipt of each window is kept
        with pytest.raises(Exception, match="superseded"):
            queries.get_receipt(s, window_one[0]["id"], POLICY.network_id, 3600)
        latest = queries.get_receipt(s, window_two[-1]["id"], POLICY.network_id, 3600)
        usage = queries.usage(s, uploader.account, NOW // 3600, 3600)
    assert latest.wire == window_two[-1]
    assert latest.added == 600
    assert usage.uploaded_bytes == 900 and usage.receipts == 2


def close(db: Database, epoch: int = EPOCH) -> dict[str, str | None]:
    """Close ``epoch`` (and any before it that is still open); each stored receipt of it
    with its close-time stream outcome (None: counted)."""
    from servicelayer.epochs.closing import close_epoch
    from servicelayer.storage import receipts_repo

    with db.session(write=True) as s:
        close_epoch(s, epoch, 3600, (epoch + 1) * 3600, max_bytes_per_second=10_000_000)
        records = receipts_repo.records_in_windows(s, epoch * 3600, (epoch + 1) * 3600)
    return {r.receipt_id: r.stream_outcome for r in records}


def test_a_contradicting_receipt_is_refused_at_ingest_only_when_its_slot_shows_it(
    db: Database,
) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 600)
    first = downloader.wire(session.update(1_000, NOW - 60))
    second = downloader.wire(session.update(2_000, NOW - 60))
    assert submit(db, [first, second]) == [("accepted", None)] * 2
    session.seq = 1  # the window's slot holds seq 2 (2,000)
    reused = downloader.wire(session.update(1_500, NOW - 60))
    session.seq = 4
    backwards = downloader.wire(session.update(1_800, NOW - 60))
    session.seq = 0
    restated = downloader.wire(session.update(900, NOW - 60))
    higher = downloader.wire(session.update(2_500, NOW - 60))  # seq 2, a higher total
    assert submit(db, [first, second, reused, backwards, restated]) == [
        ("superseded", None),  # replaced in its slot by `second`
        ("duplicate", None),
        ("rejected", "stale_sequence"),
        ("rejected", "counter_regressed"),
        ("superseded", None),
    ]
    # the highest total holds the slot, whichever came first
    assert submit(db, [higher, second]) == [("accepted", None), ("duplicate", None)]
    with db.session() as s:
        assert queries.usage(s, uploader.account, EPOCH, 3600).uploaded_bytes == 2_500


def test_the_stream_rules_refuse_receipts_when_the_epoch_closes(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 600)
    first = downloader.wire(session.update(1_000, NOW - 300))
    second = downloader.wire(session.update(2_000, NOW - 240))
    session.seq = 1  # reuses sequence 2 in a later window
    reused = downloader.wire(session.update(5_000, NOW - 180))
    session.seq = 5
    backwards = downloader.wire(session.update(1_500, NOW - 120))
    session.seq = 6
    earlier = downloader.wire(session.update(3_000, NOW - 420))  # a higher seq, earlier window
    later = downloader.wire(session.update(4_000, NOW - 60))
    batch = [first, second, reused, backwards, earlier, later]
    # each receipt holds its own window's slot: ingest does not judge them against each other
    assert submit(db, batch) == [("accepted", None)] * 6
    outcomes = close(db)
    # walked in window order: `earlier` (seq 7, 3,000) comes first, so the receipts of the
    # later windows with lower sequence numbers are stale; `later` (seq 8) is counted
    assert [outcomes[r["id"]] for r in batch] == [
        "stale_sequence",
        "stale_sequence",
        "stale_sequence",
        "stale_sequence",
        None,
        None,
    ]
    with db.session() as s:
        assert queries.usage(s, uploader.account, EPOCH, 3600).uploaded_bytes == 4_000
        assert queries.get_receipt(s, later["id"], POLICY.network_id, 3600).added == 1_000
        assert queries.get_receipt(s, reused["id"], POLICY.network_id, 3600).added == 0


def test_regressions_and_session_changes_are_refused_at_close(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 600)
    first = downloader.wire(session.update(1_000, NOW - 300))
    lower = downloader.wire(session.update(900, NOW - 240))
    restarted = session.started_at
    session.started_at = NOW - 500  # same session bytes, another start
    moved = downloader.wire(session.update(1_100, NOW - 180))
    session.started_at = restarted
    jump = downloader.wire(session.update(1_000 + 240 * 10_000_000 + 1, NOW - 120))
    fine = downloader.wire(session.update(1_500, NOW - 60))
    batch = [fine, jump, moved, lower, first]
    assert submit(db, batch) == [("accepted", None)] * 5
    outcomes = close(db)
    assert [outcomes[r["id"]] for r in batch] == [
        None,
        "implausible_rate",
        "session_mismatch",
        "counter_regressed",
        None,
    ]
    with db.session() as s:
        assert queries.usage(s, uploader.account, EPOCH, 3600).uploaded_bytes == 1_500


def test_a_bad_item_never_blocks_the_good_ones(db: Database) -> None:
    viewer = make_signer()
    other_network = make_signer("Test SDF Network ; September 2015")
    good = viewer.wire(viewer.viewing_session(INFOHASH, NOW - 300).update(200, NOW - 60))
    forged = dict(good, seconds=250)
    forged.pop("id")
    foreign = other_network.wire(other_network.viewing_session(INFOHASH, NOW - 60).update(5, NOW))
    too_fast = viewer.wire(viewer.viewing_session(INFOHASH, NOW - 60).update(500, NOW))
    results = submit(db, [forged, good, "junk", foreign, too_fast])
    assert results == [
        ("rejected", "bad_signature"),
        ("accepted", None),
        ("rejected", "malformed"),
        ("rejected", "wrong_network"),
        ("rejected", "implausible_rate"),
    ]


def test_concurrent_writers_on_one_stream_store_what_one_writer_would(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 3000)
    receipts = [downloader.wire(session.update(100 * i, NOW - 2400 + 60 * i)) for i in range(1, 41)]
    outcomes: list[list[tuple[str, str | None]]] = []

    def worker(batch: list[Any]) -> None:
        outcomes.append(submit(db, batch))

    threads = [threading.Thread(target=worker, args=([r],)) for r in receipts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == [[("accepted", None)]] * 40  # each holds its own window
    assert set(close(db, EPOCH - 1).values()) | set(close(db, EPOCH).values()) == {None}
    with db.session() as s:
        # whatever order they landed in, the closed epochs count one monotone counter
        usage = [queries.usage(s, uploader.account, e, 3600) for e in (EPOCH - 1, EPOCH)]
    assert sum(u.uploaded_bytes for u in usage) == 4_000
    assert sum(u.receipts for u in usage) == 40
