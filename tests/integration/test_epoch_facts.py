"""An epoch's inputs are facts: the same signed receipts give the same epoch root,
whatever order, batches and times they arrived in (issue 10, item 4).

Two real databases are fed one set of receipts (several streams, windows on both sides
of an epoch boundary, out-of-order sequences, resends, and streams that break each
stream rule): the first in order in one batch, the second shuffled, in small batches,
each at its own clock. Both close, seal and verify the two epochs; their stored rows,
verdicts and Merkle roots agree, and ``acenode epochs replay`` on one, given the other's
root as the anchored one, finds it identical.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servicelayer.epochs.anchoring import build_tree
from servicelayer.epochs.pipeline import PipelineConfig, advance
from servicelayer.epochs.steps import compute_step, verify_step
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.receipts import network_id
from servicelayer.runtime.contracts import default_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import receipts_repo, verdicts_repo
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from tests.conftest import BACKENDS, fresh_database
from tests.support import PASSPHRASE, make_signer

pytestmark = pytest.mark.integration

E0 = 500_000
T1 = (E0 + 1) * 3600  # the boundary between epochs E0 and E0 + 1
EPOCHS = (E0, E0 + 1)
RATE = 10_000_000
POLICY = IngestPolicy(
    network_id(PASSPHRASE),
    clock_skew_seconds=120,
    retention_seconds=86_400,
    max_bytes_per_second=RATE,
)
CONTENT = bytes(range(20))
CONFIG = PipelineConfig(epoch_seconds=3600, close_grace_seconds=300, max_bytes_per_second=RATE)


def _receipts() -> tuple[list[dict[str, Any]], dict[str, str], str]:
    """The set of receipts, the ids each stream rule must refuse at close, and the one
    receipt that ingestion may refuse (a twin that loses its slot)."""
    down, down2, up, up2, viewer, viewer2 = (make_signer() for _ in range(6))
    out: list[dict[str, Any]] = []

    def sign(session: Any, seq: int, total: int, window: int) -> dict[str, Any]:
        session.seq = seq - 1
        wire = session.signer.wire(session.update(total, window))
        out.append(wire)
        return wire

    a = down.bandwidth_session(up.account, CONTENT, T1 - 400)  # crosses the boundary
    sign(a, 2, 2_000, T1 - 300)
    sign(a, 1, 1_000, T1 - 300)  # signed earlier, in the same window
    sign(a, 3, 5_000, T1 - 180)
    sign(a, 4, 8_000, T1 - 60)
    sign(a, 5, 9_000, T1)
    sign(a, 6, 12_000, T1 + 120)
    b = viewer.viewing_session(CONTENT, T1 - 250)
    sign(b, 1, 10, T1 - 240)
    sign(b, 2, 100, T1 - 120)
    sign(b, 3, 200, T1 + 60)
    c = down2.bandwidth_session(up.account, CONTENT, T1 - 400)
    sign(c, 1, 1_000, T1 - 300)
    regressed = sign(c, 2, 500, T1 - 240)
    sign(c, 3, 3_000, T1 + 60)
    d = down.bandwidth_session(up2.account, CONTENT, T1 - 200)
    sign(d, 5, 4_000, T1 - 120)
    stale = sign(d, 3, 6_000, T1)  # a lower seq in the next epoch
    sign(d, 6, 7_000, T1 + 120)
    e = viewer2.viewing_session(CONTENT, T1 - 600)
    sign(e, 1, 10, T1 - 300)
    too_fast = sign(e, 2, 300, T1 - 240)  # 290 s watched in 120 s
    f = down2.bandwidth_session(up2.account, CONTENT, T1 - 120)
    sign(f, 1, 700, T1 - 60)
    twin = sign(f, 1, 500, T1 - 60)  # the same seq, other bytes: the higher total holds
    g = down2.bandwidth_session(viewer.account, CONTENT, T1 - 500)
    sign(g, 1, 100, T1 - 300)
    g.started_at = T1 - 400  # the same session restarted
    moved = sign(g, 2, 200, T1 - 240)
    refused = {
        regressed["id"]: "counter_regressed",
        stale["id"]: "stale_sequence",
        too_fast["id"]: "implausible_rate",
        moved["id"]: "session_mismatch",
    }
    return out, refused, twin["id"]


def _feed(db: Database, batches: list[tuple[int, list[dict[str, Any]]]]) -> set[tuple[str, str]]:
    """Each batch at its own clock; the (id, reason) of what ingestion refused."""
    refused = set()
    for now, batch in batches:
        with db.session(write=True) as s:
            results = ingest_batch(s, batch, POLICY, now)
        refused |= {(r.id or "", r.reason or "") for r in results if r.status == "rejected"}
    return refused


def _settle(db: Database) -> dict[str, Any]:
    """Close (and seal), verify and compute both epochs through the pipeline; what each
    stored, judged and hashed."""
    runtime = ContractRuntime(default_specs())
    steps = [verify_step(runtime, 3600), compute_step(runtime, 3600)]
    done = advance(db, CONFIG, steps, "worker", (E0 + 2) * 3600 + 300)
    assert [(p.epoch, p.reached) for p in done] == [
        (E0, "closed"),
        (E0 + 1, "closed"),
        (E0, "verified"),
        (E0, "computed"),
        (E0 + 1, "verified"),
        (E0 + 1, "computed"),
    ]
    facts: dict[str, Any] = {}
    for epoch in EPOCHS:
        end = (epoch + 1) * 3600
        with db.session() as s:
            facts[f"rows {epoch}"] = [
                (r.receipt_id, r.window_start, r.base, r.stream_outcome)
                for r in receipts_repo.records_in_windows(s, epoch * 3600, end)
            ]
            facts[f"verdicts {epoch}"] = [
                (v.receipt_id, v.verdict, v.weight_ppm, v.reasons)
                for v in verdicts_repo.in_epoch(s, epoch)
            ]
            facts[f"root {epoch}"] = build_tree(s, epoch).root.hex()
    return facts


@pytest.fixture
def two_databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Database, Database]]:
    with (
        fresh_database("sqlite", tmp_path / "first.sqlite3") as first_url,
        fresh_database(request.param, tmp_path / "second.sqlite3") as second_url,
    ):
        first, second = Database(first_url), Database(second_url)
        first.upgrade()
        second.upgrade()
        yield first_url, first, second
        first.dispose()
        second.dispose()


@pytest.mark.parametrize("two_databases", BACKENDS, indirect=True)
def test_the_same_receipts_in_any_order_and_time_give_the_same_epoch_root(
    two_databases: tuple[str, Database, Database], tmp_path: Path
) -> None:
    first_url, first, second = two_databases
    receipts, refused, twin = _receipts()
    resends = receipts[:3]
    shuffled = random.Random(10).sample(receipts + resends, len(receipts) + len(resends))
    in_order = _feed(first, [(T1 + 300, receipts + resends)])
    # the second node hears of each batch a few seconds to minutes after its last window
    batches = [shuffled[i : i + 3] for i in range(0, len(shuffled), 3)]
    clock = random.Random(4)
    times = [max(r["window_start"] for r in b) + clock.randrange(1, 170) for b in batches]
    scattered = _feed(second, list(zip(times, batches, strict=True)))
    # ingestion judges no receipt against another window's: it refuses at most the twin
    # that its slot's holder contradicts, when the holder is there first
    assert in_order | scattered <= {(twin, "stale_sequence")}

    facts = _settle(first)
    assert facts == _settle(second)
    outcomes = {rid: out for e in EPOCHS for rid, _, _, out in facts[f"rows {e}"] if out}
    assert outcomes == refused
    verdicts = {rid: (v, w, why) for e in EPOCHS for rid, v, w, why in facts[f"verdicts {e}"]}
    stored = {rid for e in EPOCHS for rid, *_ in facts[f"rows {e}"]}
    assert set(verdicts) == stored  # every stored receipt is a leaf
    assert all(verdicts[rid] == ("rejected", 0, code) for rid, code in refused.items())

    # resending to a closed epoch changes nothing
    with first.session(write=True) as s:
        again = ingest_batch(s, receipts[:2], POLICY, T1 + 9_000)
    assert [r.status.value for r in again] == ["duplicate", "superseded"]

    # the first node's replay, given the root the second node anchored, agrees
    with second.session() as s:
        anchored = build_tree(s, E0).root.hex()
    with first.session(write=True) as s:
        record = s.get(EpochRecord, E0)
        assert record is not None
        record.root = anchored
    first.dispose()
    replayed = _replay(E0, tmp_path / "node", first_url)
    assert replayed["identical"] and replayed["actions"] >= 2, replayed


def _replay(epoch: int, data_dir: Path, url: str) -> dict[str, Any]:
    node = [sys.executable, "-m", "node"]
    subprocess.run([*node, "init", "--data-dir", str(data_dir)], check=True, capture_output=True)
    cmd = [*node, "epochs", "replay", str(epoch), "--data-dir", str(data_dir)]
    done = subprocess.run(
        [*cmd, "--database-url", url, "--json"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
