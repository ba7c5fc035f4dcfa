"""``acenode bench ingest``: raw verification vs the in-process and HTTP ingest paths."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil

from node.bench.workload import Signed, receipts
from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.ingest import IngestPolicy, ItemStatus, ingest_batch
from servicelayer.ingest.checks import MAX_BYTES_PER_SECOND
from servicelayer.receipts.signing import network_id, verify
from servicelayer.storage.db import Database
from testnet.processes import NodeProcess

BATCH = 1000
NET = network_id(DEFAULT_PASSPHRASE)
POLICY = IngestPolicy(
    NET,
    clock_skew_seconds=120,
    retention_seconds=7 * 86400,
    max_bytes_per_second=MAX_BYTES_PER_SECOND,
)


def _batches(items: Iterator[Signed]) -> Iterator[list[Signed]]:
    while chunk := list(itertools.islice(items, BATCH)):
        yield chunk


@dataclass(frozen=True)
class Rate:
    """Receipts per second of wall-clock time, and per second of CPU time of the worker.

    The CPU figure does not depend on what else the machine is doing, so its ratios stay
    meaningful on a busy machine; on an idle one the two agree.
    """

    wall: float
    cpu: float


def _rate(count: int, wall: float, cpu: float) -> Rate:
    return Rate(count / wall, count / cpu)


def measure_verify(sample: list[Signed]) -> Rate:
    """(a) Raw ed25519 verifications per second, on the benchmark's own receipts."""
    started, cpu = time.perf_counter(), time.process_time()
    for s in sample:
        if not verify(s.public_key, s.rid, s.signature):
            raise RuntimeError("a benchmark receipt failed to verify")
    return _rate(len(sample), time.perf_counter() - started, time.process_time() - cpu)


def measure_inprocess(count: int, now: int, workdir: Path) -> Rate:
    """(b) Decode, checks, signature, dedupe and store, in this process, on SQLite."""
    database = Database(f"sqlite:///{workdir / 'inprocess.sqlite3'}")
    database.upgrade()
    batches = [[s.wire for s in chunk] for chunk in _batches(receipts(count, NET, now))]
    # The pre-built input (``count`` dicts) would not exist in a node, which receives one
    # batch at a time: keep it out of the collector, as the node keeps its startup heap.
    gc.collect()
    gc.freeze()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            with database.session(write=True) as session:
                results = ingest_batch(session, batch, POLICY, now)
            refused = [r for r in results if r.status != ItemStatus.ACCEPTED]
            if refused:
                raise RuntimeError(f"benchmark receipt not accepted: {refused[0]}")
        rate = _rate(count, time.perf_counter() - started, time.process_time() - cpu)
    finally:
        gc.unfreeze()
        database.dispose()
    return rate


class _RssSampler(threading.Thread):
    """Samples the resident memory of a process until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.samples.append(self.process.memory_info().rss)


def _produce(count: int, now: int, queue: Any) -> None:
    """Producer process: signs and encodes request bodies ahead of the sender."""
    for chunk in _batches(receipts(count, NET, now)):
        queue.put(orjson.dumps({"receipts": [s.wire for s in chunk]}))
    queue.put(None)


def measure_http(count: int, now: int, workdir: Path) -> dict[str, Any]:
    """(c) Stream ``count`` receipts through a node process: its rate and its memory.

    A separate producer process signs the receipts, so the figure is the node's rate,
    not the load generator's.
    """
    # ingest alone: no epoch pipeline (it would close the workload's past epochs), no
    # probes, no embedded ledger (so no ledger watcher)
    node = NodeProcess(
        workdir / "node",
        ACENODE_EPOCHS__ENABLED="false",
        ACENODE_PROBES__ENABLED="false",
        ACENODE_STELLAR__EMBEDDED_LEDGER="false",
        ACENODE_WATCHER__ENABLED="false",
    )
    node.start()
    assert node.proc is not None
    sampler = _RssSampler(node.proc.pid)
    sampler.start()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=16)
    producer = context.Process(target=_produce, args=(count, now, queue), daemon=True)
    producer.start()
    sent, checkpoints = 0, []
    try:
        with httpx.Client(base_url=node.url, timeout=120) as client:
            body = queue.get()  # the clock starts once the first body is ready
            started, node_cpu = time.perf_counter(), _cpu_seconds(sampler.process)
            while body is not None:
                response = client.post(
                    "/v1/receipts", content=body, headers={"content-type": "application/json"}
                )
                response.raise_for_status()
                results = orjson.loads(response.content)["results"]
                refused = {r["reason"] for r in results if r["status"] != "accepted"}
                if refused:
                    raise RuntimeError(f"the node refused benchmark receipts: {refused}")
                sent += BATCH
                if sent % max(count // 10, BATCH) == 0:
                    rss = sampler.process.memory_info().rss / 2**20
                    checkpoints.append([sent, round(rss, 1)])
                body = queue.get()
        rate = _rate(sent, time.perf_counter() - started, _cpu_seconds(sampler.process) - node_cpu)
    finally:
        sampler.done.set()
        producer.join(timeout=10)
        node.stop()
    return {
        "rate": rate,
        "node_peak_rss_mb": max(sampler.samples, default=0) / 2**20,
        "node_rss_checkpoints": checkpoints,
    }


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def run(count: int, stream: int) -> dict[str, Any]:
    now = int(time.time())
    sample = list(receipts(min(count, 20_000), NET, now))
    with tempfile.TemporaryDirectory(prefix="acenode-bench-") as tmp:
        workdir = Path(tmp)
        a = measure_verify(sample)
        b = measure_inprocess(count, now, workdir)
        http = measure_http(stream, now, workdir)
    c: Rate = http["rate"]
    own_peak = psutil.Process(os.getpid()).memory_info().rss / 2**20
    return {
        "verify_per_s": round(a.wall),
        "inprocess_per_s": round(b.wall),
        "http_per_s": round(c.wall),
        "inprocess_over_verify": round(b.wall / a.wall, 3),
        "http_over_verify": round(c.wall / a.wall, 3),
        "cpu_verify_per_s": round(a.cpu),
        "cpu_inprocess_per_s": round(b.cpu),
        "cpu_http_node_per_s": round(c.cpu),
        "cpu_inprocess_over_verify": round(b.cpu / a.cpu, 3),
        "cpu_http_over_verify": round(c.cpu / a.cpu, 3),
        "peak_rss_mb": round(max(http["node_peak_rss_mb"], own_peak), 1),
        "node_peak_rss_mb": round(http["node_peak_rss_mb"], 1),
        "node_rss_mb_by_receipts": http["node_rss_checkpoints"],
        "receipts_inprocess": count,
        "receipts_http": stream,
        "cpu_count": os.cpu_count(),
    }
