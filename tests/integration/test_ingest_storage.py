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


def test_replays_and_regressions_are_refused_and_change_nothing(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 600)
    first = downloader.wire(session.update(1_000, NOW - 120))
    second = downloader.wire(session.update(2_000, NOW - 60))
    assert submit(db, [first, second]) == [("accepted", None)] * 2
    session.seq = 1  # a new receipt that reuses an old sequence number
    reused = downloader.wire(session.update(5_000, NOW))
    session.seq = 5
    backwards = downloader.wire(session.update(1_500, NOW))
    session.seq = 6
    earlier_window = downloader.wire(session.update(3_000, NOW - 120))
    assert submit(db, [first, second, reused, backwards, earlier_window]) == [
        ("duplicate", None),
        ("duplicate", None),
        ("rejected", "stale_sequence"),
        ("rejected", "counter_regressed"),
        ("rejected", "window_regressed"),
    ]
    with db.session() as s:
        assert queries.usage(s, uploader.account, NOW // 3600, 3600).uploaded_bytes == 2_000


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


def test_growth_faster_than_a_link_is_refused(db: Database) -> None:
    downloader, uploader = make_signer(), make_signer()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, NOW - 120)
    ok = downloader.wire(session.update(1_000, NOW - 120))
    # 60 s have passed since the stream's last window began: at most 120 s * 10 MB/s more
    jump = downloader.wire(session.update(1_000 + 120 * 10_000_000 + 1, NOW - 60))
    assert submit(db, [ok, jump]) == [("accepted", None), ("rejected", "implausible_rate")]


def test_concurrent_writers_on_one_stream_never_interleave(db: Database) -> None:
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
    accepted = sum(o == [("accepted", None)] for o in outcomes)
    assert accepted >= 1
    with db.session() as s:
        usage = queries.usage(s, uploader.account, 0, 2**40)
    # whatever order they landed in, the stored rows describe one monotone counter
    assert usage.uploaded_bytes <= 4_000 and usage.receipts == accepted
