"""``acenode bench settle``: build-and-sign alone vs a full settlement on the embedded ledger.

(a) builds and signs the plan's transactions (100 payments each, the channel's signature
plus M validator signatures) in memory; (b) settles the whole plan end to end against an
``acenode ledger serve`` subprocess: plan persisted, envelopes persisted, submitted
through K channels, applied by the ledger, recorded. Payees are 1,000 existing accounts,
each owed many payouts (distinct rows), so (b) measures settlement, not account creation.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from stellar_sdk import Keypair

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.keys import create_key_file
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import NATIVE, Payout, Plan
from servicelayer.settlement.status import PlanStatus
from testnet.ledger import LedgerProcess

ACCOUNTS = 1000
BUILD_SAMPLE = 20_000


def _plan(payees: list[str], n: int) -> Plan:
    return Plan.of(
        [Payout(payees[i % len(payees)], NATIVE, 1 + i % 997, f"b{i}") for i in range(n)]
    )


def _node_dir(root: Path, url: str, channels: int, validators: int, threshold: int) -> Path:
    node = root / "node"
    node.mkdir(parents=True)
    keys = [create_key_file(node / "node.key")]
    keys += [create_key_file(root / f"validator-{i}.key") for i in range(1, validators)]
    signer_files = [node / "node.key", *(root / f"validator-{i}.key" for i in range(1, threshold))]
    quoted = ", ".join(f'"{k.public_key}"' for k in keys)
    files = ", ".join(f'"{p}"' for p in signer_files)
    (node / "acenode.toml").write_text(
        f'[stellar]\nhorizon_url = "{url}"\nchannels = {channels}\nvalidators = [{quoted}]\n'
        f"threshold = {threshold}\nsigner_key_files = [{files}]\nsubmit_timeout = 120\n"
    )
    return node


def measure_build_sign(
    plan: Plan, signers: list[Keypair], treasury: str, sample: int
) -> tuple[float, float]:
    """Payees per second (wall clock, CPU time) built into signed envelopes (no I/O)."""
    builder = EnvelopeBuilder("Standalone Network ; February 2017", treasury, signers)
    chunks = chunk_plan(plan.id, plan.payouts[:sample])
    channel = Keypair.random()
    started, cpu = time.perf_counter(), time.process_time()
    for n, chunk in enumerate(chunks):
        builder.build(chunk, channel, n + 1)
    count = sum(len(c.payouts) for c in chunks)
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def _cpu(ledger: LedgerProcess) -> float:
    assert ledger.proc is not None
    times = psutil.Process(ledger.proc.pid).cpu_times()
    return float(times.user + times.system)


def run(
    payees: int, channels: int = 16, validators: int = 3, threshold: int = 2, close: float = 0.05
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="acenode-bench-settle-") as tmp:
        root = Path(tmp)
        ledger = LedgerProcess(root / "ledger", close_interval=close).start()
        try:
            node = _node_dir(root, ledger.url, channels, validators, threshold)
            settings = load_settings(node)
            horizon = wiring.horizon(settings)
            try:
                wiring.bootstrap(settings, horizon).run(channels)
            finally:
                horizon.close()
            accounts = fund_accounts(ledger.url, ACCOUNTS)
            plan = _plan(accounts, payees)
            signers = wiring.treasury_signers(wiring.validators(settings))
            treasury = Keypair.from_secret((node / "dao" / "treasury.key").read_text().strip())
            build_rate, build_cpu_rate = measure_build_sign(
                plan, signers, treasury.public_key, min(payees, BUILD_SAMPLE)
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            ledger_cpu_started = (
                sum(psutil.Process(ledger.proc.pid).cpu_times()[:2]) if ledger.proc else 0.0
            )
            with wiring.settlement(settings) as service:
                service.prepare(plan, source="bench", chunk_size=100)
                summary = service.settle(plan.id)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            ledger_cpu = (
                sum(psutil.Process(ledger.proc.pid).cpu_times()[:2]) - ledger_cpu_started
                if ledger.proc
                else 0.0
            )
            ledger_rss = psutil.Process(ledger.proc.pid).memory_info().rss if ledger.proc else 0
        finally:
            ledger.stop()
    if summary.status != PlanStatus.PAID:
        raise RuntimeError(f"the benchmark plan ended {summary.status}")
    settle_rate = payees / elapsed
    settle_cpu_rate = payees / (cpu + ledger_cpu)
    return {
        "payees": payees,
        "channels": channels,
        "signatures": f"{threshold} of {validators}",
        "close_interval_s": close,
        "build_sign_per_s": round(build_rate),
        "settle_per_s": round(settle_rate),
        "ratio": round(settle_rate / build_rate, 3),
        "cpu_build_sign_per_s": round(build_cpu_rate),
        "cpu_settle_per_s": round(settle_cpu_rate),
        "cpu_ratio": round(settle_cpu_rate / build_cpu_rate, 3),
        "settle_seconds": round(elapsed, 2),
        "settle_cpu_seconds": round(cpu, 2),
        "ledger_cpu_seconds": round(ledger_cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "ledger_rss_mb": round(ledger_rss / 2**20, 1),
    }


def fund_accounts(url: str, count: int) -> list[str]:
    """``count`` new accounts, created 100 per transaction from a friendbot-funded account."""
    import httpx
    from stellar_sdk import Server, TransactionBuilder

    funder = Keypair.random()
    httpx.get(f"{url}/friendbot", params={"addr": funder.public_key}, timeout=60)
    accounts = [Keypair.random().public_key for _ in range(count)]
    with Server(url) as server:
        for start in range(0, count, 100):
            source = server.load_account(funder.public_key)
            builder = TransactionBuilder(source, "Standalone Network ; February 2017", 100)
            builder.add_time_bounds(0, 0)
            for account in accounts[start : start + 100]:
                builder.append_create_account_op(account, "1")
            envelope = builder.build()
            envelope.sign(funder)
            server.submit_transaction(envelope, skip_memo_required_check=True)
    return accounts
