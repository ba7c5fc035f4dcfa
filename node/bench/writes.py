"""``acenode bench writes``: publish latency with an empty catalog and with a large one.

For each catalog size a fresh node is seeded, started and measured:

1. Seeding, before the node starts: ``items`` catalog items are published into the node's
   SQLite database in this process, through the contract runtime (``ActionPublish`` and
   ``ActionRegisterContent``, exactly the actions ``POST /v1/catalog`` applies), 1,000
   actions per transaction, journaled as the node journals them; then each contract's
   state is snapshotted, as the epoch pipeline does. The node starts from that journal.
2. Both nodes run as ``acenode run`` (uvicorn on loopback; epochs, probes, ledger,
   watcher and the ``[limits]`` rate limits off). On each, one account signs in with
   SEP-10 and publishes ``warmup`` items (not counted: the first requests warm up the
   connection and the process), then the two nodes get ``publishes`` publishes each, in
   turn, one request at a time, each with a fresh Idempotency-Key: whatever else the
   machine does then slows both alike. The latency of a publish is the wall-clock time
   of its HTTP request, seen by the client; the node's CPU time per publish (user +
   system) is given too, as it does not depend on the load of the machine.

``ratio_*`` is the large catalog's figure over the empty one's: a write's cost must not
grow with the state (issue 9, item 10).
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from stellar_sdk import Keypair, TransactionEnvelope

from contracts.catalog import ActionPublish
from contracts.core import Action, Context
from contracts.subscriptions import ActionRegisterContent
from servicelayer.runtime.contracts import default_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database
from testnet.processes import NodeProcess

SEED_BATCH = 1000
PROVIDERS = 100  # the seeded items' publishers (accounts derived from fixed seeds)


def _provider(i: int) -> str:
    return Keypair.from_raw_ed25519_seed(
        hashlib.sha256(b"bench-provider%d" % i).digest()
    ).public_key


def _infohash(label: str, i: int) -> str:
    return hashlib.sha1(f"{label}{i}".encode()).hexdigest()


def _publish_actions(i: int, provider: str) -> tuple[Action, Action]:
    ih = _infohash("seed", i)
    title = f"Seeded film number {i} of the benchmark catalog"
    tags = ("bench", f"genre{i % 50}", f"year{1950 + i % 75}")
    return (
        ActionPublish(ih, title, tags, provider, 1_000_000 + i % 1000, i % 5000),
        ActionRegisterContent(provider, ih, ""),
    )


def seed(url: str, items: int) -> float:
    """Publish ``items`` items into the database at ``url`` in-process; seconds taken."""
    started = time.perf_counter()
    database = Database(url)
    database.upgrade()
    # one snapshot at the end (below) instead of one every few thousand actions
    runtime = ContractRuntime(default_specs(), snapshot_every=items + 1)
    providers = [_provider(i) for i in range(PROVIDERS)]
    now = int(time.time())
    ctx = Context(epoch=now // 3600, close_time=now)
    try:
        for start in range(0, items, SEED_BATCH):
            pairs = [
                _publish_actions(i, providers[i % PROVIDERS])
                for i in range(start, min(items, start + SEED_BATCH))
            ]
            with database.session(write=True) as session:
                runtime.apply(session, "catalog", [p[0] for p in pairs], ctx)
                runtime.apply(session, "subscriptions", [p[1] for p in pairs], ctx)
        with database.session(write=True) as session:
            for name in ("catalog", "subscriptions"):
                runtime.snapshot(session, name)
    finally:
        database.dispose()
    return time.perf_counter() - started


def _sign_in(client: httpx.Client, keypair: Keypair) -> str:
    challenge = client.get("/v1/auth", params={"account": keypair.public_key})
    challenge.raise_for_status()
    body = challenge.json()
    envelope = TransactionEnvelope.from_xdr(body["transaction"], body["network_passphrase"])
    envelope.sign(keypair)
    answer = client.post("/v1/auth", json={"transaction": envelope.to_xdr()})
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


def _publish(client: httpx.Client, token: str, i: int) -> float:
    body = {"infohash": _infohash("bench", i), "title": f"Bench film {i}", "tags": ["bench"]}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    started = time.perf_counter()
    answer = client.post("/v1/catalog", json=body, headers=headers)
    elapsed = time.perf_counter() - started
    if answer.status_code != 201:
        raise RuntimeError(f"publish answered {answer.status_code}: {answer.text}")
    return elapsed


def _percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


@dataclass
class _Target:
    """A seeded node under measurement and what was measured on it."""

    items: int
    node: NodeProcess
    seed_seconds: float
    client: httpx.Client | None = None
    token: str = ""
    samples: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def publish(self, i: int) -> float:
        assert self.client is not None
        return _publish(self.client, self.token, i)


def _start(items: int, workdir: Path) -> _Target:
    workdir.mkdir()
    url = f"sqlite:///{workdir / 'node.sqlite3'}"
    seconds = seed(url, items)
    node = NodeProcess(
        workdir / "node",
        url,
        ACENODE_EPOCHS__ENABLED="false",
        ACENODE_PROBES__ENABLED="false",
        ACENODE_STELLAR__EMBEDDED_LEDGER="false",
        ACENODE_WATCHER__ENABLED="false",
        # the benchmark measures what a write costs, not the per-account write rate limit
        ACENODE_LIMITS__ENABLED="false",
    )
    node.start(timeout=120)
    target = _Target(items, node, seconds)
    target.client = httpx.Client(base_url=node.url, timeout=120)
    target.token = _sign_in(target.client, Keypair.random())
    return target


def _node_cpu(target: _Target) -> float:
    assert target.node.proc is not None
    times = psutil.Process(target.node.proc.pid).cpu_times()
    return float(times.user + times.system)


def _measure(targets: list[_Target], publishes: int, warmup: int) -> None:
    """Publish to the nodes in turn (alternating which goes first), so that whatever
    else the machine does slows both alike."""
    for target in targets:
        for i in range(warmup):
            target.publish(-1 - i)
    cpu = [_node_cpu(t) for t in targets]
    for i in range(publishes):
        for target in targets if i % 2 == 0 else targets[::-1]:
            target.samples.append(target.publish(i))
    for target, before in zip(targets, cpu, strict=True):
        target.cpu_seconds = _node_cpu(target) - before


def _figures(target: _Target) -> dict[str, Any]:
    samples = target.samples
    return {
        "items": target.items,
        "seed_seconds": round(target.seed_seconds, 1),
        "publishes": len(samples),
        "p50_ms": round(_percentile(samples, 50) * 1000, 2),
        "p99_ms": round(_percentile(samples, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2),
        "node_cpu_ms_per_publish": round(target.cpu_seconds / len(samples) * 1000, 2),
    }


def run(items: int = 100_000, publishes: int = 1000, warmup: int = 20) -> dict[str, Any]:
    """Both nodes are seeded and started first, then measured together."""
    with tempfile.TemporaryDirectory(prefix="acenode-bench-writes-") as tmp:
        targets: list[_Target] = []
        try:
            for label, count in (("empty", 0), ("full", items)):
                targets.append(_start(count, Path(tmp) / label))
            _measure(targets, publishes, warmup)
        finally:
            for target in targets:
                if target.client is not None:
                    target.client.close()
                target.node.stop()
    empty, full = (_figures(t) for t in targets)
    return {
        "empty": empty,
        "full": full,
        "ratio_p50": round(full["p50_ms"] / empty["p50_ms"], 3),
        "ratio_p99": round(full["p99_ms"] / empty["p99_ms"], 3),
        "ratio_cpu": round(full["node_cpu_ms_per_publish"] / empty["node_cpu_ms_per_publish"], 3),
    }
