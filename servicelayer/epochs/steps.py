"""The steps of the epoch pipeline: verify, compute (contracts), settle, anchor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contracts.core import Context
from contracts.rewards import ReceivePayoutSettled
from servicelayer.epochs.accounting import REWARD, compute_epoch
from servicelayer.epochs.anchoring import anchor_tx, build_tree, epoch_payouts, payout_id
from servicelayer.epochs.clock import epoch_bounds
from servicelayer.epochs.pipeline import Step
from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.errors import ServiceLayerError
from servicelayer.ledger.envelope import SignedTx
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.once import submit_once
from servicelayer.ledger.signing import Signing
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.records import PlanSummary
from servicelayer.settlement.status import PlanStatus
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.verification.model import ContentInfo

STEPS = ("closed", "verified", "computed", "anchored", "settled")

SettlePlan = Callable[[Plan, int], PlanSummary]
"""Persist ``plan`` (the payouts of an epoch) and pay it; safe to call again after a crash."""


class SettlementIncomplete(ServiceLayerError):
    code = "settlement_incomplete"


ProbesWaiting = Callable[[int], str | None]
"""What probes planned for an epoch's windows are still running, or None
(servicelayer.probes.runs.probe_gate)."""


def verify_step(
    runtime: ContractRuntime, epoch_seconds: int, probes_waiting: ProbesWaiting | None = None
) -> Step:
    """Verdicts for the epoch's receipts, with stream bitrates from the catalog contract.
    With ``probes_waiting`` it waits until every probe planned for the epoch's windows has
    finished or timed out, so verdicts see all the evidence the node meant to gather."""

    def work(session: Session, epoch: int) -> None:
        verify_closed_epoch(
            session, epoch, epoch_seconds, catalog=catalog_bitrates(runtime, session)
        )

    return Step("closed", "verified", work, ready=probes_waiting)


LedgerKnown = Callable[[], int | None]
"""The close time up to which every ledger fact is applied (the followed ledger's), or None
when no ledger has been followed yet."""


def compute_step(
    runtime: ContractRuntime,
    epoch_seconds: int,
    ledger_known: LedgerKnown | None = None,
    *,
    mints: bool = False,
) -> Step:
    """The contracts step. With ``ledger_known`` it waits until the ledger is known up to
    the end of the epoch, so every payment the epoch earned is applied before it is
    accounted (without it, the caller guarantees that). With ``mints`` (a federation),
    the epoch's voted mints are in its payouts (``compute_epoch``)."""

    def work(session: Session, epoch: int) -> None:
        compute_epoch(runtime, session, epoch, epoch_seconds, mints=mints)

    def ready(epoch: int) -> str | None:
        assert ledger_known is not None
        end = epoch_bounds(epoch, epoch_seconds)[1]
        known = ledger_known()
        if known is None:
            return "for the ledger watcher's first ledger"
        if known < end:
            return f"for a followed ledger closed at or after {end} (the latest closed at {known})"
        return None

    return Step("verified", "computed", work, ready=None if ledger_known is None else ready)


def epoch_plan(session: Session, epoch: int) -> Plan | None:
    """The settlement plan of an epoch's payouts (None when it has none)."""
    payouts = [
        Payout(row.account, row.asset, row.amount, payout_id(epoch, row.position), row.source)
        for row in epoch_payouts(session, epoch)
    ]
    return Plan.of(payouts) if payouts else None


def settle_step(
    runtime: ContractRuntime, database: Database, epoch_seconds: int, settle: SettlePlan
) -> Step:
    """Pay the epoch's plan, then tell the rewards contract its payouts settled."""

    def outside(epoch: int) -> None:
        with database.session() as session:
            plan = epoch_plan(session, epoch)
        if plan is None:
            return
        summary = settle(plan, epoch)
        if summary.status != PlanStatus.PAID:
            raise SettlementIncomplete(
                f"plan {plan.id[:12]} is {summary.status.value}; `acenode payouts status` "
                "shows its transactions, and the next run resumes it"
            )

    def work(session: Session, epoch: int) -> None:
        plan = epoch_plan(session, epoch)
        record = session.get(EpochRecord, epoch)
        if plan is None or record is None:
            return
        record.settlement_plan = plan.id
        settled = [
            ReceivePayoutSettled(row.reference)
            for row in epoch_payouts(session, epoch)
            if row.kind == REWARD
        ]
        if settled and "rewards" in runtime.specs:
            ctx = Context(epoch=epoch, close_time=epoch_bounds(epoch, epoch_seconds)[1], seed=b"")
            runtime.apply(session, "rewards", settled, ctx)

    return Step("anchored", "settled", work, outside)


@dataclass(frozen=True)
class AnchorAccount:
    """Where and how epochs are anchored: the DAO's anchor account, who signs for it
    (``signing``) and the validators whose signatures it gives (``signers``)."""

    horizon: Horizon
    passphrase: str
    account: str
    signing: Signing
    signers: list[str]
    base_fee: int = 100


def anchor_step(database: Database, anchor_account: Callable[[], AnchorAccount]) -> Step:
    """Put the epoch's Merkle root on the ledger (exactly once) and record where."""

    def outside(epoch: int) -> None:
        anchor = anchor_account()
        with database.session(write=True) as session:
            record = session.get(EpochRecord, epoch)
            assert record is not None
            root = build_tree(session, epoch).root
            record.root = root.hex()
            stored = None
            if record.anchor_tx and record.anchor_envelope and record.anchor_sequence:
                stored = SignedTx(record.anchor_tx, record.anchor_envelope, record.anchor_sequence)

        def build() -> SignedTx:
            return anchor_tx(
                anchor.horizon,
                anchor.passphrase,
                anchor.account,
                anchor.signing,
                anchor.signers,
                epoch,
                root,
                anchor.base_fee,
            )

        def persist(built: SignedTx) -> None:
            with database.session(write=True) as session:
                record = session.get(EpochRecord, epoch)
                assert record is not None
                record.anchor_tx, record.anchor_envelope = built.hash, built.xdr
                record.anchor_sequence = built.sequence

        ledger = submit_once(
            anchor.horizon, anchor.account, stored, build, persist, f"epoch {epoch}'s anchor"
        )
        with database.session(write=True) as session:
            record = session.get(EpochRecord, epoch)
            assert record is not None
            record.anchor_ledger = ledger

    def work(session: Session, epoch: int) -> None:
        return None

    return Step("computed", "anchored", work, outside)


def catalog_bitrates(runtime: ContractRuntime, session: Session) -> list[ContentInfo]:
    if "catalog" not in runtime.specs:
        return []
    state, _ = runtime.current(session, "catalog")
    return [
        ContentInfo(infohash, item.bitrate)
        for infohash, item in sorted(state.items.items())
        if item.bitrate is not None
    ]
