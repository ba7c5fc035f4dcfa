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
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from stellar_sdk import Keypair

from node import settlement as wiring
from servicelayer.config import NodeSettings, load_settings
from servicelayer.dao.keys import DaoKeys
from servicelayer.keys import create_key_file
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.status import PlanStatus
from testnet.ledger.process import LedgerProcess

ACCOUNTS = 1000
BUILD_SAMPLE = 20_000


def _plan(payees: list[str], n: int) -> Plan:
    return Plan.of(
        [Payout(payees[i % len(payees)], NATIVE_TEXT, 1 + i % 997, f"b{i}") for i in range(n)]
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
    channel = Keypair.random().public_key
    started, cpu = time.perf_counter(), time.process_time()
    for n, chunk in enumerate(chunks):
        builder.build(chunk, channel, n + 1)
    count = sum(len(c.payouts) for c in chunks)
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def _cpu(ledger: LedgerProcess) -> float:
    times = psutil.Process(ledger.pid).cpu_times()
    return float(times.user + times.system)


def run(
    payees: int,
    channels: int = 32,
    validators: int = 3,
    threshold: int = 2,
    close: float = 0.5,
    max_ops: int = 1_000,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="acenode-bench-settle-") as tmp:
        root = Path(tmp)
        ledger = LedgerProcess(root / "ledger", close_interval=close, max_ops=max_ops).start()
        try:
            settings = _bootstrapped(root, ledger.url, channels, validators, threshold)
            plan = _plan(fund_accounts(ledger.url, ACCOUNTS), payees)
            signers = wiring.treasury_signers(wiring.validators(settings))
            treasury = DaoKeys(settings.data_dir).public("treasury")
            build = measure_build_sign(plan, signers, treasury, min(payees, BUILD_SAMPLE))
            settle = _measure_settle(settings, plan, ledger)
            ledger_rss = psutil.Process(ledger.pid).memory_info().rss
            first, last = _ledgers(settings, plan.id)
        finally:
            ledger.stop()
    return _figures(payees, channels, f"{threshold} of {validators}", close, build, settle) | {
        "ledger_rss_mb": round(ledger_rss / 2**20, 1),
        "max_ops_per_ledger": max_ops,
        "ledgers_used": last - first + 1,
        "ledgers_min": -(-payees // max_ops),
    }


def _ledgers(settings: NodeSettings, plan_id: str) -> tuple[int, int]:
    """The first and last ledger that applied one of the plan's transactions."""
    from sqlalchemy import func, select

    from servicelayer.storage.db import Database
    from servicelayer.storage.settlement_models import SettlementTransaction as T

    database = Database(settings.resolved_database_url())
    with database.session() as s:
        row = s.execute(
            select(func.min(T.ledger), func.max(T.ledger)).where(T.plan_id == plan_id)
        ).one()
    database.engine.dispose()
    return int(row[0]), int(row[1])


def _bootstrapped(
    root: Path, url: str, channels: int, validators: int, threshold: int
) -> NodeSettings:
    settings = load_settings(_node_dir(root, url, channels, validators, threshold))
    horizon = wiring.horizon(settings)
    try:
        wiring.bootstrap(settings, horizon).run(channels)
    finally:
        horizon.close()
    return settings


def _measure_settle(
    settings: NodeSettings, plan: Plan, ledger: LedgerProcess
) -> tuple[float, float, float]:
    """(wall seconds, settlement CPU seconds, ledger CPU seconds) of a full settlement."""
    started, cpu, ledger_cpu = time.perf_counter(), time.process_time(), _cpu(ledger)
    with wiring.settlement(settings) as service:
        service.prepare(plan, source="bench", chunk_size=100)
        summary = service.settle(plan.id)
    if summary.status != PlanStatus.PAID:
        raise RuntimeError(f"the benchmark plan ended {summary.status}")
    return (
        time.perf_counter() - started,
        time.process_time() - cpu,
        _cpu(ledger) - ledger_cpu,
    )


def _figures(
    payees: int,
    channels: int,
    signatures: str,
    close: float,
    build: tuple[float, float],
    settle: tuple[float, float, float],
) -> dict[str, Any]:
    (build_rate, build_cpu_rate), (elapsed, cpu, ledger_cpu) = build, settle
    settle_rate, settle_cpu_rate = payees / elapsed, payees / (cpu + ledger_cpu)
    return {
        "payees": payees,
        "channels": channels,
        "signatures": signatures,
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
    }


def _create_accounts(accounts: list[str], builder: Any) -> Any:
    for account in accounts:
        builder.append_create_account_op(account, "1")
    return builder


def fund_accounts(url: str, count: int) -> list[str]:
    """``count`` new accounts, created 100 per transaction from a friendbot-funded account."""
    accounts = [Keypair.random().public_key for _ in range(count)]
    create_accounts(url, accounts)
    return accounts


def create_accounts(url: str, accounts: list[str]) -> None:
    """These accounts on the ledger, created 100 per transaction from a friendbot-funded
    account."""
    from node.cli.acedao.ledger import send
    from servicelayer.ledger.horizon import Horizon

    count, funder = len(accounts), Keypair.random()
    with Horizon(url) as ledger:
        ledger.fund(f"{url}/friendbot", funder.public_key)
        passphrase = ledger.network_passphrase()
        for start in range(0, count, 100):
            create = partial(_create_accounts, accounts[start : start + 100])
            send(ledger, funder, passphrase, create, "creating the payees", timeout=None)
