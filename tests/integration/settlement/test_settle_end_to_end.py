"""Settling plans against a real ledger process, checked on the ledger through Horizon."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from stellar_sdk import Asset, BumpSequence, ChangeTrust, Keypair, Payment, Server

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.dao.keys import DaoKeys
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.records import Envelope
from servicelayer.settlement.service import SettlementService
from servicelayer.settlement.status import PayoutStatus, PlanStatus, SubmissionStatus
from testnet.ledger.process import LedgerProcess
from tests.integration.settlement.helpers import (
    bootstrap,
    create_accounts,
    funded,
    issue,
    make_node,
    owed,
    paid_by,
    submit,
)

pytestmark = pytest.mark.integration


@contextmanager
def service(node_dir: Path) -> Iterator[SettlementService]:
    with wiring.settlement(load_settings(node_dir)) as svc:
        yield svc


def xlm_plan(payees: list[str], base: int = 1_000_000) -> Plan:
    return Plan.of([Payout(a, NATIVE_TEXT, base + n, f"ref-{n}") for n, a in enumerate(payees)])


def test_a_plan_pays_every_payee_once_with_claimable_balances_for_the_rest(
    ledger: LedgerProcess, node_dir: Path
) -> None:
    make_node(node_dir, ledger.url, channels=2)
    treasury = bootstrap(node_dir)
    node_key = Keypair.from_secret((node_dir / "node.key").read_text().strip())
    gold_issuer = funded(ledger.url)
    gold = Asset("GOLD", gold_issuer.public_key)
    # The treasury's master weight is 0: its trustline needs the validator's signature.
    submit(ledger.url, treasury, [ChangeTrust(gold)], [node_key])
    submit(ledger.url, gold_issuer.public_key, [Payment(treasury, gold, "1000")], [gold_issuer])
    holders = [funded(ledger.url) for _ in range(4)]
    issue(ledger.url, gold_issuer, "GOLD", holders, "1")
    existing = [Keypair.random().public_key for _ in range(25)]
    create_accounts(ledger.url, existing)
    missing = [Keypair.random().public_key for _ in range(5)]
    gold_code = f"GOLD:{gold_issuer.public_key}"
    payouts = [
        Payout(a, NATIVE_TEXT, 10_000_000 + n, f"x{n}") for n, a in enumerate(existing + missing)
    ]
    payouts += [Payout(h.public_key, gold_code, 2_500_000, f"g{n}") for n, h in enumerate(holders)]
    payouts += [Payout(a, gold_code, 1, f"n{n}") for n, a in enumerate(existing[:3])]
    plan = Plan.of(payouts)

    with service(node_dir) as svc:
        assert svc.prepare(plan, source="test", chunk_size=10)
        summary = svc.settle(plan.id)
        envelopes = svc.store.envelope_count(plan.id)

    assert summary.status == PlanStatus.PAID
    assert summary.counts == {
        PayoutStatus.PAID: 29,
        PayoutStatus.PAID_AS_CLAIMABLE_BALANCE: 8,  # 5 missing accounts + 3 without GOLD
    }
    assert paid_by(ledger.url, treasury) == owed(payouts)
    with Server(ledger.url) as server:
        balances = server.claimable_balances().for_claimant(missing[0]).call()
        (cb,) = balances["_embedded"]["records"]
        assert {c["destination"] for c in cb["claimants"]} == {missing[0], treasury}
        holder = server.accounts().account_id(holders[0].public_key).call()
        gold_line = next(b for b in holder["balances"] if b.get("asset_code") == "GOLD")
        assert gold_line["balance"] == "1.2500000"

    with service(node_dir) as svc:  # settling again changes nothing
        assert not svc.prepare(plan, source="test", chunk_size=10)
        assert svc.settle(plan.id).status == PlanStatus.PAID
        assert svc.store.envelope_count(plan.id) == envelopes
    assert paid_by(ledger.url, treasury) == owed(payouts)


def _persist_unsubmitted(svc: SettlementService, plan: Plan, channel: str) -> Envelope:
    """What a crash right after persisting the first envelope leaves behind."""
    chunk = chunk_plan(plan.id, plan.payouts, 10)[0]
    with Server(svc.horizon.url) as server:
        seq = int(server.accounts().account_id(channel).call()["sequence"]) + 1
    signed = svc.builder.build(chunk, channel, seq)
    envelope = Envelope(
        signed.hash, plan.id, 0, 1, channel, seq, signed.xdr, SubmissionStatus.SIGNED
    )
    svc.store.add_envelope(envelope, 0)
    return envelope


def test_a_persisted_envelope_is_submitted_again_not_rebuilt(
    ledger: LedgerProcess, node_dir: Path
) -> None:
    make_node(node_dir, ledger.url, channels=1)
    treasury = bootstrap(node_dir)
    payees = [Keypair.random().public_key for _ in range(20)]
    create_accounts(ledger.url, payees)
    plan = xlm_plan(payees)
    channel = DaoKeys(node_dir).channels(1)[0]
    with service(node_dir) as svc:
        svc.prepare(plan, source="test", chunk_size=10)
        left = _persist_unsubmitted(svc, plan, channel)
        assert svc.settle(plan.id).status == PlanStatus.PAID
        chunk0 = [e for e in svc.store.transactions(plan.id) if e.chunk_index == 0]
    assert [(e.hash, e.status) for e in chunk0] == [(left.hash, SubmissionStatus.APPLIED)]
    assert paid_by(ledger.url, treasury) == owed(plan.payouts)


def test_an_envelope_whose_sequence_was_used_elsewhere_is_dead_and_replaced(
    ledger: LedgerProcess, node_dir: Path
) -> None:
    make_node(node_dir, ledger.url, channels=1)
    treasury = bootstrap(node_dir)
    payees = [Keypair.random().public_key for _ in range(20)]
    create_accounts(ledger.url, payees)
    plan = xlm_plan(payees)
    channel = DaoKeys(node_dir).channels(1)[0]
    with service(node_dir) as svc:
        svc.prepare(plan, source="test", chunk_size=10)
        stale = _persist_unsubmitted(svc, plan, channel)
        # Someone uses the channel's next sequence number: the stored envelope can never apply.
        validator = Keypair.from_secret((node_dir / "node.key").read_text().strip())
        submit(ledger.url, channel, [BumpSequence(stale.sequence + 5)], [validator])
        assert svc.settle(plan.id).status == PlanStatus.PAID
        chunk0 = [e for e in svc.store.transactions(plan.id) if e.chunk_index == 0]
    assert [e.status for e in chunk0] == [SubmissionStatus.DEAD, SubmissionStatus.APPLIED]
    assert chunk0[1].supersedes == stale.hash
    assert chunk0[1].sequence > stale.sequence
    assert paid_by(ledger.url, treasury) == owed(plan.payouts)


def test_an_underfunded_chunk_fails_whole_and_is_paid_after_a_top_up(
    ledger: LedgerProcess, node_dir: Path
) -> None:
    make_node(node_dir, ledger.url, channels=1)
    treasury = bootstrap(node_dir)
    node_key = Keypair.from_secret((node_dir / "node.key").read_text().strip())
    issuer = funded(ledger.url)
    gold = Asset("GOLD", issuer.public_key)
    submit(ledger.url, treasury, [ChangeTrust(gold)], [node_key])
    submit(ledger.url, issuer.public_key, [Payment(treasury, gold, "1")], [issuer])
    holders = [funded(ledger.url) for _ in range(3)]
    issue(ledger.url, issuer, "GOLD", holders, "0.0000001")
    payouts = [Payout(h.public_key, f"GOLD:{issuer.public_key}", 5_000_000, "") for h in holders]
    plan = Plan.of([Payout(p.account, p.asset, p.amount, f"u{n}") for n, p in enumerate(payouts)])

    with service(node_dir) as svc:
        svc.prepare(plan, source="test")
        failed = svc.settle(plan.id)
    assert failed.status == PlanStatus.FAILED
    assert failed.counts == {PayoutStatus.FAILED: 3}
    assert paid_by(ledger.url, treasury) == {}  # the failed transaction paid nobody

    submit(ledger.url, issuer.public_key, [Payment(treasury, gold, "1")], [issuer])
    with service(node_dir) as svc:
        assert svc.settle(plan.id).status == PlanStatus.PAID
        statuses = [e.status for e in svc.store.transactions(plan.id)]
    assert statuses == [SubmissionStatus.FAILED, SubmissionStatus.APPLIED]
    assert paid_by(ledger.url, treasury) == owed(plan.payouts)
