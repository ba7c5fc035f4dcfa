"""This node as one validator of a federation: who leads each epoch's round, how the
leader gets its transactions co-signed, the agreement on each epoch's input set before it
closes (``agreed``, the pipeline's ``Agreement``), and the two ledger steps of the epoch
pipeline as every validator runs them (docs/federation.md).

    computed -> anchored   the round's leader anchors the root with the settlement slots
                           (M signatures); every validator records the anchor it finds
                           on the ledger, and waits for the leader until then
    anchored -> settled    the round's leader pays the chunks in their slots; every
                           validator records what the ledger shows, and the epoch is
                           settled on each once every chunk is on the ledger

A round lasts ``round_seconds`` from the end of the epoch plus the close grace, so the
lead passes to the next validator when a leader is down; since the anchor and every
payment have exactly one possible slot, two leaders at once can only repeat each other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session
from stellar_sdk import Keypair, TransactionEnvelope

from servicelayer.epochs.anchoring import anchor_data, anchor_tx, build_tree
from servicelayer.epochs.clock import epoch_bounds
from servicelayer.epochs.pipeline import Step, StepWaits
from servicelayer.epochs.steps import epoch_plan
from servicelayer.errors import Conflict, LedgerUnavailable, ServiceLayerError
from servicelayer.federation.agreement import (
    Agreeing,
    agreed_hash,
    first_epoch,
    inputs_envelope,
    unanchored,
)
from servicelayer.federation.batches import Applier, apply_inputs, remember, sealed_before
from servicelayer.federation.cosigning import (
    Anchored,
    Ask,
    Cosigners,
    DaoAccounts,
    anchored,
    assignment_for,
)
from servicelayer.federation.members import Member, leader
from servicelayer.federation.settling import SlotSettlement
from servicelayer.federation.slots import Assignment
from servicelayer.ledger.envelope import SignedTx
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.once import submit_once
from servicelayer.ledger.signing import InputsToSign
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.plan import Plan
from servicelayer.settlement.records import PlanSummary
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.watcher.service import payments_before

log = logging.getLogger("acenode.federation")
POLL_SECONDS = 0.25
T = TypeVar("T")


class WaitsForLeader(StepWaits):
    """Another validator leads this round: the epoch waits for what it puts on the ledger."""

    code = "waits_for_leader"


class AnchoredElsewhere(Conflict):
    """The epoch was anchored with another root than this validator computed."""

    code = "root_mismatch"


SEALING_MARGIN_SECONDS = 0.5
"""A leader builds an input set at least this long after the cut-off: the clock skew
between validators it tolerates. A validator seals at its clock read under its sealing
lock and answers a pull of its own batches under that lock, so a pull it answers once
its clock has passed the cut-off has every batch it sealed before it (a validator whose
clock is further behind refuses the set if a batch of its own is left out)."""


@dataclass(frozen=True)
class Timing:
    epoch_seconds: int
    close_grace_seconds: int
    round_seconds: float


class Validator:
    def __init__(
        self,
        database: Database,
        horizon: Callable[[], Horizon],
        keypair: Keypair,
        passphrase: str,
        validators: Sequence[str],
        members: Sequence[Member],
        threshold: int,
        accounts: Callable[[], DaoAccounts],
        ask: Ask,
        timing: Timing,
        clock: Callable[[], float],
        base_fee: int = 100,
        asked_anchors: Collection[int] = (),
        asked_inputs: Collection[int] = (),
        patience: float = 5.0,
        agreeing: Agreeing | None = None,
        applier: Applier | None = None,
    ) -> None:
        """``asked_anchors``, ``asked_inputs``: the epochs whose anchor (input set) the
        round's leader asked this node to sign; it waits for them (up to ``patience``
        seconds) rather than until its next tick."""
        self.database = database
        self.horizon = horizon
        self.keypair = keypair
        self.passphrase = passphrase
        self.validators = sorted(validators)
        self.members = list(members)
        self.threshold = threshold
        self.accounts = accounts
        self.ask = ask
        self.timing = timing
        self.clock = clock
        self.base_fee = base_fee
        self.asked_anchors = asked_anchors
        self.asked_inputs = asked_inputs
        self.patience = patience
        self.agreeing = agreeing  # None: the epoch's inputs are what this node holds
        self.closing: tuple[int, str] | None = None  # the epoch waiting to close, and why
        self.applier = applier  # how the agreed inputs apply (the node sets it)

    # -- who leads -----------------------------------------------------------------------
    def round(self, epoch: int) -> int:
        """The epoch's current round by this node's clock (0 until its first time-out)."""
        t = self.timing
        start = epoch_bounds(epoch, t.epoch_seconds)[1] + t.close_grace_seconds
        return max(0, int((self.clock() - start) // t.round_seconds))

    def leads(self, epoch: int) -> tuple[bool, int, str]:
        """(whether this node leads the epoch now, the round, its leader)."""
        round_ = self.round(epoch)
        who = leader(self.validators, epoch, round_)
        return who == self.keypair.public_key, round_, who

    def cosigners(self, epoch: int, round_: int, anchor_tx: str | None = None) -> Cosigners:
        return Cosigners(
            self.database,
            self.keypair,
            self.members,
            self.threshold,
            self.passphrase,
            self.ask,
            epoch,
            round_=round_,
            anchor_tx=anchor_tx,
            clock=self.clock,
        )

    # -- agreeing on inputs ---------------------------------------------------------------
    def first_epoch(self) -> int | None:
        """``Agreement.first_epoch``: the epoch the federation is at on the ledger."""
        return first_epoch(self.horizon(), self.accounts().anchor, self.passphrase)

    def agreed(self, epoch: int) -> Callable[[Session], None]:
        """``Agreement.agreed``: the epoch's agreed input set, applied by the caller in the
        transaction that closes the epoch. The round's leader proposes the set of batches
        it holds sealed before the cut-off and gets its hash on the ledger (M signatures);
        the others wait for it; then each fetches any batch of the set it lacks."""
        try:
            apply = self._agreed(epoch)
        except ServiceLayerError as exc:
            self.closing = (epoch, exc.detail)
            raise
        self.closing = None
        return apply

    def transaction(self) -> AbstractContextManager[Session]:
        """``Agreement.transaction``: the agreed writes change contract state."""
        assert self.applier is not None
        return self.applier.transaction()

    def _agreed(self, epoch: int) -> Callable[[Session], None]:
        assert self.agreeing is not None and self.applier is not None
        relay, applier = self.agreeing.relay, self.applier
        with self.database.session() as session:
            waits = unanchored(session)
        if waits is not None:  # the contracts step of the epoch before goes first
            raise StepWaits(f"before epoch {epoch} closes: {waits}")
        horizon, accounts = self.horizon(), self.accounts()
        digest = agreed_hash(horizon, accounts.anchor, epoch, self.passphrase)
        if digest is None and epoch in self.asked_inputs:  # on its way to the ledger
            digest = self._await(
                lambda: agreed_hash(horizon, accounts.anchor, epoch, self.passphrase)
            )
        if digest is None:
            digest = self._propose(horizon, accounts.anchor, epoch)
        inputs = relay.inputs(digest)
        if inputs is None:
            raise StepWaits(f"for epoch {epoch}'s agreed input set {digest[:12]}... from a member")
        gaps = relay.complete(inputs)
        if gaps:
            named = ", ".join(f"{g.sealer[:8]}...#{g.number}" for g in gaps)
            raise StepWaits(f"for batches of epoch {epoch}'s input set: {named}")
        cutoff = self.agreeing.cutoff(epoch)
        facts = payments_before(horizon, self.database, accounts.treasury, cutoff)
        if facts is None:
            raise StepWaits(f"for a ledger closed after epoch {epoch}'s cut-off ({cutoff})")

        governance, opened = self.agreeing.governance, self.agreeing.cutoff(epoch - 1)

        def apply(session: Session) -> None:
            # the snapshot first (the set's votes need it), the count after everything
            if governance is not None and inputs.snapshot is not None:
                governance.record(session, inputs.snapshot, opened)
            applied = apply_inputs(session, inputs, applier, facts.payments)
            facts.credited(session)
            if governance is not None:
                governance.tick(session, cutoff)
            log.info(
                "epoch %d: %d batch(es) of its input set %s, %d treasury payment(s)",
                epoch,
                applied,
                digest[:12],
                len(facts.payments),
            )

        return apply

    def _propose(self, horizon: Horizon, anchor: str, epoch: int) -> str:
        assert self.agreeing is not None  # the epoch before is anchored here (``_agreed``)
        leads, round_, who = self.leads(epoch)
        if not leads:
            raise WaitsForLeader(
                f"for {who[:8]}..., the leader of round {round_}, to propose epoch {epoch}'s inputs"
            )
        cutoff = self.agreeing.cutoff(epoch)
        early = cutoff + SEALING_MARGIN_SECONDS - self.clock()
        if early > 0:  # at most the margin: the epoch is due, its cut-off has passed
            time.sleep(min(early, SEALING_MARGIN_SECONDS))
        relay, governance = self.agreeing.relay, self.agreeing.governance
        snapshot = None
        if governance is not None:
            with self.database.session() as session:
                snapshot = governance.read(session, horizon, self.accounts().treasury)
        relay.pull()
        with relay.sealing, self.database.session(write=True) as session:
            inputs = sealed_before(session, epoch, self.validators, cutoff, snapshot)
            row = remember(session, inputs)
            stored = None
            if row.tx_hash and row.envelope and row.sequence:
                stored = SignedTx(row.tx_hash, row.envelope, row.sequence)

        def build() -> SignedTx:
            state = horizon.account(anchor)
            if state is None:
                raise LedgerUnavailable(f"the anchor account {anchor} is not on the ledger")
            envelope = inputs_envelope(
                self.passphrase, anchor, state.sequence + 1, inputs, self.base_fee
            )
            what = InputsToSign(
                anchor,
                envelope.transaction.sequence,
                self.base_fee,
                tuple((last.sealer, last.number, last.digest) for last in inputs.sets),
                None if inputs.snapshot is None else inputs.snapshot.body(),
            )
            signatures = self.cosigners(epoch, round_).signatures(envelope.hash(), what)
            envelope.signatures.extend(signatures)
            return SignedTx(envelope.hash_hex(), envelope.to_xdr(), envelope.transaction.sequence)

        def persist(built: SignedTx) -> None:
            with self.database.session(write=True) as session:
                row = remember(session, inputs)
                row.tx_hash, row.envelope, row.sequence = built.hash, built.xdr, built.sequence

        submit_once(horizon, anchor, stored, build, persist, f"epoch {epoch}'s input set")
        log.info("epoch %d: input set %s agreed", epoch, inputs.hash.hex()[:12])
        return inputs.hash.hex()

    # -- anchoring -----------------------------------------------------------------------
    def anchor_step(self) -> Step:
        def ready(epoch: int) -> str | None:
            with self.database.session() as session:
                previous = session.get(EpochRecord, epoch - 1)
                if previous is not None and previous.status != "settled":
                    return f"for epoch {epoch - 1}'s payments (its settlement slots come first)"
            return None

        def work(session: Session, epoch: int) -> None:
            return None

        return Step("computed", "anchored", work, self._anchor, ready)

    def _anchor(self, epoch: int) -> None:
        with self.database.session(write=True) as session:
            record = session.get(EpochRecord, epoch)
            assert record is not None
            root = build_tree(session, epoch).root
            record.root = root.hex()
            plan = epoch_plan(session, epoch)
            stored = None
            if record.anchor_tx and record.anchor_envelope and record.anchor_sequence:
                stored = SignedTx(record.anchor_tx, record.anchor_envelope, record.anchor_sequence)
        horizon, accounts = self.horizon(), self.accounts()
        found = self._find_anchor(horizon, accounts, epoch, stored)
        if found is None and epoch in self.asked_anchors:  # on its way to the ledger
            found = self._await(lambda: self._find_anchor(horizon, accounts, epoch, None))
        if found is None:
            leads, round_, who = self.leads(epoch)
            if not leads:
                raise WaitsForLeader(f"for {who[:8]}..., the leader of round {round_}, to anchor")
            slots = assignment_for(horizon, plan, self.base_fee, accounts.channels)

            def build() -> SignedTx:
                return anchor_tx(
                    horizon,
                    self.passphrase,
                    accounts.anchor,
                    self.cosigners(epoch, round_),
                    self.validators,
                    epoch,
                    root,
                    self.base_fee,
                    () if slots is None else slots.entries(),
                )

            def persist(built: SignedTx) -> None:
                self._set_anchor(epoch, built.hash, built.xdr, built.sequence, None)

            submit_once(horizon, accounts.anchor, stored, build, persist, f"epoch {epoch}'s anchor")
            found = self._find_anchor(horizon, accounts, epoch, None)
            if found is None:
                raise LedgerUnavailable(f"epoch {epoch}'s anchor applied but is not found")
        if found.root != root:
            log.error(
                "epoch %d was anchored by %s with root %s; this validator computed %s",
                epoch,
                found.tx_hash,
                found.root.hex(),
                root.hex(),
            )
            raise AnchoredElsewhere(
                f"epoch {epoch} was anchored with root {found.root.hex()}, ours is {root.hex()}"
            )
        self._set_anchor(epoch, found.tx_hash, found.envelope_xdr, found.sequence, found.ledger)

    def _await(self, check: Callable[[], T | None]) -> T | None:
        """``check()`` until it gives something, for up to ``patience`` seconds."""
        deadline = time.monotonic() + self.patience
        while (found := check()) is None and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        return found

    def _find_anchor(
        self, horizon: Horizon, accounts: DaoAccounts, epoch: int, stored: SignedTx | None
    ) -> Anchored | None:
        """The epoch's anchor on the ledger: ours if it applied, else the anchor account's
        latest transactions are searched once its ``ace.epoch`` entry names the epoch."""
        if stored is not None:
            mine = anchored(horizon, stored.hash, epoch, accounts, self.passphrase)
            if mine is not None:
                return mine
        state = horizon.account(accounts.anchor)
        last = state.data.get("ace.epoch", b"") if state is not None else b""
        if len(last) != 40 or int.from_bytes(last[:8], "big") < epoch:
            return None
        for record in horizon.recent_transactions(accounts.anchor, limit=50):
            found = anchored(horizon, str(record.get("hash", "")), epoch, accounts, self.passphrase)
            if found is not None:
                return found
        raise LedgerUnavailable(f"epoch {epoch}'s anchor is not among the anchor account's last 50")

    def _set_anchor(
        self, epoch: int, tx_hash: str, xdr: str, sequence: int, ledger: int | None
    ) -> None:
        with self.database.session(write=True) as session:
            record = session.get(EpochRecord, epoch)
            assert record is not None
            record.anchor_tx, record.anchor_envelope = tx_hash, xdr
            record.anchor_sequence, record.anchor_ledger = sequence, ledger

    # -- settling ------------------------------------------------------------------------
    def settle(self, plan: Plan, epoch: int) -> PlanSummary:
        """``SettlePlan`` for the settle step: pays (when leading) or follows the epoch's
        plan in the slots its anchor committed."""
        with self.database.session() as session:
            record = session.get(EpochRecord, epoch)
            assert record is not None
            anchor_hash, envelope = record.anchor_tx, record.anchor_envelope
        accounts = self.accounts()
        slots = None
        if envelope is not None:
            data = anchor_data(TransactionEnvelope.from_xdr(envelope, self.passphrase))
            slots = Assignment.of_entries(data, accounts.channels)
        if slots is None or anchor_hash is None:
            raise Conflict(f"epoch {epoch}'s anchor commits to no settlement slots")
        leads, round_, who = self.leads(epoch)

        def builder(fee: int) -> EnvelopeBuilder:
            signing = self.cosigners(epoch, round_, anchor_hash)
            return EnvelopeBuilder(self.passphrase, accounts.treasury, signing, fee)

        runner = SlotSettlement(SettlementStore(self.database), self.horizon(), builder)
        summary = runner.run(
            plan,
            f"epoch {epoch}",
            accounts.treasury,
            slots,
            submit=leads,
            patience=0 if leads else self.patience,
        )
        if summary.status == "pending" and not leads:
            raise WaitsForLeader(f"for {who[:8]}..., the leader of round {round_}, to pay")
        return summary
