"""``acenode bench swarm``: verification measured on real swarms against a real node.

One node runs as a subprocess (``acenode run``: SQLite, its embedded ledger, 60 s epochs
of one window each, its own probe and epoch jobs). N scenarios (testnet.swarm_scenario)
run concurrently against it, ``concurrency`` starting in each minute, each at a random
second of its minute, so sessions start late and early in minutes and cross window and
epoch boundaries in real time (no clock is scaled or shifted: the node's probes read
the system clock, and the harness judges exactly what the node does). A few processes
burn CPU meanwhile. After the last scenario, the harness waits for the node's epoch
pipeline to verify every epoch they touched (and, for ``deferred`` verdicts, up to
``defer_epochs`` more) and scores the stored verdicts (``GET /v1/epochs/{n}/verdicts``)
against the ground truth each scenario recorded.

Scoring (docs/verification.md, "Measured: real swarms vs the model"):

- a receipt is the stored one per stream and window (the verdicts' receipt ids); its
  claim is the cumulative total minus that of the stream's previous stored receipt;
- honest receipts: the honest viewers' bandwidth and viewing receipts;
  ``honest_rejected_share`` = rejected / honest receipts;
  ``honest_rejected_bytes_share`` = honest bandwidth bytes not counted (1 - weight) /
  honest bandwidth bytes claimed (so down-weighting counts as partly rejected);
- fraud units: bytes for bandwidth, seconds x bitrate for viewing (one unit, stream
  bytes), scored per stream (one session's receipts, tallied): its fake units are what
  it claimed beyond everything its signer received from every peer (bytes nobody sent
  it), and those paid are what the accounting counted for it (claim x weight) beyond
  that; ``fraud_paid_share`` = fake units paid / fake units claimed. What the signer did
  receive, but from other peers than the one it names (the inflating viewer's bytes from
  the other viewers over PEX, credited to the origin), is ``misattributed_units``,
  reported with ``misattributed_paid_share`` beside the goal, not in it;
- a ``deferred`` receipt counts with the verdict of its resolution when one is found
  (a later epoch's verdict for the same id, or a ``resolution`` field); one still
  deferred is neither rejected nor paid and counts in ``deferred_share``;
- 95 % Wilson upper bounds: receipt shares on (k, n); byte/unit shares on the share with
  n = the Kish effective sample size (sum w)^2 / sum w^2 of the receipts' (for fraud,
  the streams') units.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from node.cli.acedao.client import every_page
from servicelayer.verification.bench import wilson_upper
from testnet.processes import MINUTE, MINUTE_EPOCHS, NodeProcess
from testnet.swarm_scenario import (
    ATTACKS,
    BITRATE,
    SIZE,
    Scenario,
    ScenarioResult,
    Signed,
    Veteran,
    start_times,
)

EPOCH = MINUTE
NODE_ENV = MINUTE_EPOCHS | {
    # the budget covers the bench's load: about 30 swarms live at once (10 start a minute)
    "ACENODE_PROBES__MAX_CONCURRENT": "32",
    "ACENODE_PROBES__WINDOW_BYTES": str(32 * 4 * 1024 * 1024),
    "ACENODE_GOVERNANCE__ENABLED": "false",
}
FINAL = ("verified", "computed", "anchored", "settled")


@dataclass(frozen=True)
class SwarmBenchConfig:
    runs: int = 60
    concurrency: int = 10  # scenarios starting in each minute
    seed: int = 1
    cpu_load: int = 1  # busy processes beside the node and the peers
    defer_epochs: int = 3  # epochs to wait for deferred verdicts to be resolved
    start_seconds: tuple[int, ...] = ()  # the first scenarios' seconds of the minute
    veteran_ppm: int = 500_000  # share of later scenarios whose origin served before
    video_bytes: int = SIZE  # 64 s of video; the quick test uses a shorter one
    keep: Path | None = None  # keep the node's data dir and the scored receipts here


@dataclass(frozen=True)
class Tally:
    """One receipt's or one stream's units (bytes; seconds x the bitrate for viewing):
    claimed, really received from the named peer, received from every peer, and counted
    by the accounting (claim x weight)."""

    claimed: int = 0
    real: int = 0
    received: int = 0
    paid: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def _got(self) -> int:
        return max(self.real, self.received)

    @property
    def fabricated(self) -> int:
        """Claimed units the signer never received from anyone."""
        return max(0, self.claimed - self._got)

    @property
    def misattributed(self) -> int:
        """Claimed units it did receive, but from other peers than the one it names."""
        return max(0, min(self.claimed, self._got) - self.real)

    @property
    def fabricated_paid(self) -> int:
        """Counted units beyond everything the signer received: paid for nothing."""
        return min(self.fabricated, max(0, self.paid - self._got))

    @property
    def misattributed_paid(self) -> int:
        """Counted units beyond the named peer's real ones, up to all it received."""
        return max(0, min(self.paid, self._got) - self.real)


@dataclass
class Outcome:
    """A stored receipt, scored: its claim and real delta, verdict and weight."""

    signed: Signed
    claimed: int
    real: int
    verdict: str
    weight_ppm: int
    reasons: tuple[str, ...]
    deferred: bool = False  # deferred at first (resolved or not)
    received: int = 0  # what the signer got from every peer meanwhile (>= real)

    @property
    def paid(self) -> int:
        """What the epoch's accounting counts: the claim times the weight, rounded down."""
        return self.claimed * self.weight_ppm // 1_000_000

    @property
    def tally(self) -> Tally:
        unit = BITRATE if self.signed.kind == "viewing" else 1
        amounts = (self.claimed, self.real, self.received, self.paid)
        return Tally(*(a * unit for a in amounts))


@dataclass
class Verdicts:
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    first_deferred: set[str] = field(default_factory=set)


@dataclass
class BenchRun:
    results: list[ScenarioResult]
    verdicts: Verdicts
    figures: dict[str, Any]


def run(config: SwarmBenchConfig, say: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    return run_bench(config, say).figures


def run_bench(config: SwarmBenchConfig, say: Callable[[str], None] = lambda _: None) -> BenchRun:
    started = time.monotonic()
    cpu0 = os.times()
    with tempfile.TemporaryDirectory(prefix="acenode-bench-swarm-") as tmp:
        root = config.keep or Path(tmp)
        node = NodeProcess(root / "node", **NODE_ENV)
        node.start(timeout=90)
        burners = [_burner() for _ in range(config.cpu_load)]
        try:
            results = _scenarios(config, node.url, root, say)
            say("waiting for the node to verify the epochs")
            verdicts = _collect(node.url, results, config.defer_epochs, say)
            probes = _probe_diagnostics(node.data_dir, results)
        finally:
            for proc in burners:
                proc.kill()
                proc.wait()
            node.stop()
    figures = score(results, verdicts)
    figures["probes"] = probes
    if config.keep is not None:
        _keep(config.keep, results, verdicts)
    cpu1 = os.times()
    figures["config"] = {
        "concurrency": config.concurrency,
        "seed": config.seed,
        "cpu_load": config.cpu_load,
        "defer_epochs": config.defer_epochs,
        "epoch_seconds": EPOCH,
        "cores": os.cpu_count(),
    }
    figures["wall_seconds"] = round(time.monotonic() - started, 1)
    figures["harness_cpu_seconds"] = round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 1)
    return BenchRun(results, verdicts, figures)


def _probe_diagnostics(data_dir: Path, results: list[ScenarioResult]) -> dict[str, Any] | None:
    """What the node's probes saw of the scenarios' swarms, read from its database: a
    diagnostic beside the figures (which come from the verdicts alone); None when the
    stored evidence has another shape than this version reads."""
    try:
        from servicelayer.probes.evidence import evidence_loads
        from servicelayer.storage import evidence_repo
        from servicelayer.storage.db import Database

        database = Database(f"sqlite:///{data_dir / 'node.sqlite3'}")
        rows = []
        with database.session() as session:
            for epoch in sorted({e for r in results for e in r.epochs}):
                rows += [
                    evidence_loads(row.evidence)
                    for row in evidence_repo.evidence_in(session, epoch)
                ]
        by_swarm: dict[str, list[Any]] = {}
        for evidence in rows:
            by_swarm.setdefault(evidence.infohash, []).append(evidence)
        probed = served = seen = 0
        for r in results:
            mine = by_swarm.get(r.infohash, [])
            probed += bool(mine)
            origin = [e.peer(r.origin_endpoint) for e in mine]
            seen += any(o is not None and o.answered for o in origin)
            served += any(o is not None and o.payload_down > 0 for o in origin)
        return {
            "probes": len(rows),
            "scenarios_probed": probed,
            "origin_answered": seen,
            "origin_served_probe": served,
            "probe_seconds_mean": round(
                sum(e.ended_at - e.started_at for e in rows) / max(1, len(rows)), 1
            ),
        }
    except Exception:  # a diagnostic only: the evidence format is another helper's
        return None


def _keep(root: Path, results: list[ScenarioResult], verdicts: Verdicts) -> None:
    """Every scored receipt with its scenario, truth and verdict, beside the node's data
    dir (``node/``), for a look at why a receipt got its verdict."""
    rows = []
    by_index = {r.index: r for r in results}
    for o in outcomes(results, verdicts):
        scenario = by_index[int(o.signed.stream.split("/")[0])]
        rows.append(
            {
                "scenario": scenario.index,
                "fresh_origin": scenario.fresh_origin,
                "infohash": scenario.infohash,
                "receipt_id": o.signed.receipt_id,
                "stream": o.signed.stream,
                "truth": o.signed.truth,
                "kind": o.signed.kind,
                "window": o.signed.window,
                "claimed": o.claimed,
                "real": o.real,
                "received": o.received,
                "verdict": o.verdict,
                "weight_ppm": o.weight_ppm,
                "reasons": list(o.reasons),
                "deferred": o.deferred,
            }
        )
    (root / "receipts.json").write_text(json.dumps(rows, indent=1))


def _burner() -> subprocess.Popen[bytes]:
    """Other load on the CPU: one busy Python process (killed at the end by its pid)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _scenarios(
    config: SwarmBenchConfig, url: str, root: Path, say: Callable[[str], None]
) -> list[ScenarioResult]:
    rng = random.Random(config.seed)
    first = time.time() + 5
    starts = start_times(
        config.runs, config.concurrency, rng, first, list(config.start_seconds) or None
    )
    stop = threading.Event()
    veterans: list[Veteran] = []
    scenarios: list[Scenario] = []
    for i, at in enumerate(starts):
        batch = i // config.concurrency
        # at the configured share, an origin that served two or more minutes before (its
        # scenario is over) serves again: it has a probe history by then
        idle = [v for v in veterans if v.minute <= batch - 2]
        veteran = None
        if idle and rng.randrange(1_000_000) < config.veteran_ppm:
            veteran = idle[rng.randrange(len(idle))]
        scenario = Scenario(
            i,
            url,
            root,
            at,
            random.Random(rng.random()),
            batch,
            veteran,
            stop,
            config.video_bytes,
        )
        if veteran is None:
            veterans.append(scenario.origin)
        scenarios.append(scenario)
    minutes = math.ceil(config.runs / config.concurrency)
    say(f"{len(scenarios)} scenarios scheduled over {minutes} min")
    with ThreadPoolExecutor(max_workers=len(scenarios)) as pool:
        try:
            results = list(pool.map(lambda s: s.run(), scenarios))
        except BaseException:
            stop.set()
            raise
    return results


def _collect(
    url: str, results: list[ScenarioResult], defer_epochs: int, say: Callable[[str], None]
) -> Verdicts:
    """Every verified epoch the scenarios touched, then later ones while verdicts stay
    deferred (at most ``defer_epochs`` more): a deferred verdict carries its
    ``resolution`` once a later epoch's verification resolved it."""
    epochs = sorted({e for r in results for e in r.epochs})
    out = Verdicts()
    with httpx.Client(base_url=url, timeout=30) as http:
        for n in epochs:
            _wait_verified(http, n)
            _read_epoch(http, n, out, first=True)
        last = epochs[-1]
        for n in range(last + 1, last + 1 + defer_epochs):
            if not _still_deferred(out):
                break
            say(f"{len(_still_deferred(out))} verdicts deferred: waiting for epoch {n}")
            _wait_verified(http, n)
            for m in sorted({int(out.by_id[rid]["epoch"]) for rid in _still_deferred(out)}):
                _read_epoch(http, m, out, first=False)
    return out


def _wait_verified(http: httpx.Client, n: int) -> None:
    deadline = time.monotonic() + 3 * EPOCH + max(0, (n + 1) * EPOCH - time.time())
    while True:
        answer = http.get(f"/v1/epochs/{n}")
        if answer.status_code == 200 and answer.json()["status"] in FINAL:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"epoch {n} was not verified in time: {answer.text}")
        time.sleep(0.5)


def _read_epoch(http: httpx.Client, n: int, out: Verdicts, first: bool) -> None:
    for v in every_page(http, f"/v1/epochs/{n}/verdicts", "verdicts"):
        if v["verdict"] == "deferred" and first:
            out.first_deferred.add(v["receipt_id"])
        out.by_id[v["receipt_id"]] = v


def _still_deferred(out: Verdicts) -> set[str]:
    return {rid for rid, v in out.by_id.items() if _resolved(v)[0] == "deferred"}


def _resolved(v: dict[str, Any]) -> tuple[str, int]:
    """(verdict, weight) after a deferral's resolution, when it has one."""
    if v["verdict"] != "deferred":
        return v["verdict"], int(v["weight_ppm"])
    resolution = v.get("resolution")
    if resolution:
        return resolution["verdict"], int(resolution["weight_ppm"])
    return "deferred", 0


# -- scoring -----------------------------------------------------------------------------
def outcomes(results: list[ScenarioResult], verdicts: Verdicts) -> list[Outcome]:
    scored: list[Outcome] = []
    for result in results:
        streams: dict[str, list[Signed]] = {}
        for signed in result.receipts:
            streams.setdefault(signed.stream, []).append(signed)
        for signed_list in streams.values():
            stored = [s for s in signed_list if s.receipt_id in verdicts.by_id]
            stored.sort(key=lambda s: (s.window, s.claimed))
            prev_claimed = prev_real = prev_received = 0
            for s in stored:
                v = verdicts.by_id[s.receipt_id]
                verdict, weight = _resolved(v)
                reasons = tuple(v.get("reasons", ()))
                if v.get("resolution"):  # judged again: the resolution's reasons decide
                    reasons = ("deferred", *v["resolution"]["reasons"])
                scored.append(
                    Outcome(
                        s,
                        s.claimed - prev_claimed,
                        s.real - prev_real,
                        verdict,
                        weight,
                        reasons,
                        s.receipt_id in verdicts.first_deferred,
                        s.received - prev_received,
                    )
                )
                prev_claimed, prev_real, prev_received = s.claimed, s.real, s.received
    return scored


def _kish(weights: list[int]) -> float:
    total, squares = sum(weights), sum(w * w for w in weights)
    return total * total / squares if squares else 0.0


def _share(part: float, whole: float) -> float:
    return round(part / whole, 6) if whole else 0.0


def score(results: list[ScenarioResult], verdicts: Verdicts) -> dict[str, Any]:
    scored = outcomes(results, verdicts)
    honest = [o for o in scored if o.signed.truth == "honest"]
    fraud = [o for o in scored if o.signed.truth != "honest" and o.claimed > o.real]
    # fraud is scored per stream (one session's receipts): what the accounting counted for
    # it in all beyond what its signer received in all. Its receipts are not independent,
    # and a window's claim may include bytes that arrive after it was signed
    streams = _streams(o for o in scored if o.signed.truth != "honest")
    fake = [t.fabricated for t in streams.values() if t.fabricated > 0]
    honest_bw = [o for o in honest if o.signed.kind == "bandwidth" and o.claimed > 0]
    rejected = [o for o in honest if o.verdict == "rejected"]
    lost_bytes = sum(o.claimed * (1_000_000 - o.weight_ppm) / 1_000_000 for o in honest_bw)
    honest_bytes = sum(o.claimed for o in honest_bw)
    bytes_share = _share(lost_bytes, honest_bytes)
    paid_share = _share(sum(t.fabricated_paid for t in streams.values()), sum(fake))
    moved = sum(t.misattributed for t in streams.values())
    moved_paid = sum(t.misattributed_paid for t in streams.values())
    fraud_paid_streams = sum(1 for t in streams.values() if t.fabricated_paid > 0)
    deferred_now = [o for o in scored if o.verdict == "deferred"]
    ingest_refused = [s for r in results for s in r.receipts if s.status == "rejected"]
    honest_refused = [s for s in ingest_refused if s.truth == "honest"]
    n_honest = len(honest) + len(honest_refused)
    k_honest = len(rejected) + len(honest_refused)
    return {
        "runs": len(results),
        "runs_failed": sum(1 for r in results if r.error),
        "errors": [f"{r.index}: {r.error}" for r in results if r.error],
        "receipts": len(scored),
        "honest_receipts": n_honest,
        "honest_rejected_share": _share(k_honest, n_honest),
        "honest_rejected_share_upper": round(wilson_upper(k_honest, n_honest), 6),
        "honest_bytes": honest_bytes,
        "honest_rejected_bytes_share": bytes_share,
        "honest_rejected_bytes_share_upper": round(
            wilson_upper(bytes_share, _kish([o.claimed for o in honest_bw]), share=True), 6
        ),
        "honest_bytes_effective_n": round(_kish([o.claimed for o in honest_bw]), 1),
        "fraud_receipts": len(fraud),
        "fraud_streams": len(fake),
        "fraud_units": sum(fake),
        "fraud_paid_share": paid_share,
        "fraud_paid_share_upper": round(wilson_upper(paid_share, _kish(fake), share=True), 6),
        "fraud_units_effective_n": round(_kish(fake), 1),
        "misattributed_units": moved,
        "misattributed_paid_share": _share(moved_paid, moved),
        "fraud_paid_streams_share": _share(fraud_paid_streams, len(fake)),
        "fraud_paid_streams_share_upper": round(wilson_upper(fraud_paid_streams, len(fake)), 6),
        "fraud_refused_at_ingest": sum(1 for s in ingest_refused if s.truth != "honest"),
        "deferred_share": _share(len(deferred_now), len(scored)),
        "deferred_at_first": sum(1 for o in scored if o.deferred),
        "deferred_released": sum(1 for o in scored if o.deferred and o.weight_ppm > 0),
        "unjudged_receipts": _unjudged(results, verdicts),
        "by_reason": _by_reason(honest, fraud, honest_refused, ingest_refused),
        "by_attack": _by_attack(scored, streams),
        "by_start_second": _by_second(results, honest),
        "by_origin": _by_origin(results, honest),
        "fresh_origins": sum(1 for r in results if r.fresh_origin),
    }


def _unjudged(results: list[ScenarioResult], verdicts: Verdicts) -> int:
    """Streams' last receipts in a window the node stored yet no verdict names."""
    last: dict[tuple[str, int], Signed] = {}
    for r in results:
        for s in r.receipts:
            if s.status in ("accepted", "superseded"):
                last[(s.stream, s.window)] = s
    return sum(1 for s in last.values() if s.receipt_id not in verdicts.by_id)


def _by_reason(
    honest: list[Outcome], fraud: list[Outcome], honest_refused: list[Signed], refused: list[Signed]
) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}

    def row(reason: str) -> dict[str, int]:
        return table.setdefault(
            reason,
            {
                "honest_receipts": 0,
                "honest_bytes_lost": 0,
                "fraud_receipts": 0,
                "fraud_units_refused": 0,
            },
        )

    for o in honest:
        if o.weight_ppm == 1_000_000 and o.verdict != "deferred":
            continue
        lost = (
            o.claimed * (1_000_000 - o.weight_ppm) // 1_000_000
            if o.signed.kind == "bandwidth"
            else 0
        )
        for reason in o.reasons or ("(none)",):
            r = row(f"{o.verdict}:{reason}")
            r["honest_receipts"] += 1
            r["honest_bytes_lost"] += lost
    for o in fraud:
        t = o.tally
        for reason in o.reasons or ("(none)",):
            r = row(f"{o.verdict}:{reason}")
            r["fraud_receipts"] += 1
            r["fraud_units_refused"] += t.fabricated - t.fabricated_paid
    for s in refused:
        r = row(f"ingest:{s.reason}")
        r["honest_receipts" if s.truth == "honest" else "fraud_receipts"] += 1
    return dict(sorted(table.items()))


def _streams(outcomes: Iterable[Outcome]) -> dict[str, Tally]:
    """Each stream's receipts, tallied."""
    out: dict[str, Tally] = {}
    for o in outcomes:
        out[o.signed.stream] = out.get(o.signed.stream, Tally()) + o.tally
    return out


def _by_attack(scored: list[Outcome], streams: dict[str, Tally]) -> dict[str, dict[str, Any]]:
    truth = {o.signed.stream: o.signed.truth for o in scored}
    out: dict[str, dict[str, Any]] = {}
    for attack in ATTACKS:
        mine = [t for stream, t in streams.items() if truth[stream] == attack]
        fake = sum(t.fabricated for t in mine)
        moved = sum(t.misattributed for t in mine)
        out[attack] = {
            "streams": len(mine),
            "receipts": sum(1 for o in scored if o.signed.truth == attack),
            "fake_units": fake,
            "paid_share": _share(sum(t.fabricated_paid for t in mine), fake),
            "misattributed_units": moved,
            "misattributed_paid_share": _share(sum(t.misattributed_paid for t in mine), moved),
            "receipts_with_weight": sum(
                1 for o in scored if o.signed.truth == attack and o.weight_ppm > 0
            ),
        }
    return out


def _by_second(results: list[ScenarioResult], honest: list[Outcome]) -> dict[str, dict[str, int]]:
    """Honest receipts and those rejected, by the origin's start second (10 s bins)."""
    second = {r.index: r.start_second for r in results}
    out: dict[str, dict[str, int]] = {}
    for o in honest:
        s = second[int(o.signed.stream.split("/", 1)[0])]
        b = f"{s - s % 10:02d}-{s - s % 10 + 9:02d}"
        row = out.setdefault(b, {"receipts": 0, "rejected": 0})
        row["receipts"] += 1
        row["rejected"] += o.verdict == "rejected"
    return dict(sorted(out.items()))


def _by_origin(results: list[ScenarioResult], honest: list[Outcome]) -> dict[str, dict[str, int]]:
    """Honest receipts and bytes, and those lost, by whether the origin was fresh."""
    fresh = {r.index: r.fresh_origin for r in results}
    out: dict[str, dict[str, int]] = {}
    for o in honest:
        key = "fresh" if fresh[int(o.signed.stream.split("/", 1)[0])] else "veteran"
        row = out.setdefault(key, {"receipts": 0, "rejected": 0, "bytes": 0, "bytes_lost": 0})
        row["receipts"] += 1
        row["rejected"] += o.verdict == "rejected"
        if o.signed.kind == "bandwidth":
            row["bytes"] += o.claimed
            row["bytes_lost"] += o.claimed * (1_000_000 - o.weight_ppm) // 1_000_000
    return dict(sorted(out.items()))


def scenario_outcomes(bench: BenchRun, index: int) -> list[Outcome]:
    """The scored receipts of one scenario (the integration test reads them)."""
    scored = outcomes(bench.results, bench.verdicts)
    return [o for o in scored if o.signed.stream.startswith(f"{index}/")]
