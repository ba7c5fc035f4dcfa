"""The epoch pipeline's steps, wired to this node's settings, database and ledger."""

from __future__ import annotations

import logging

from node import settlement as wiring
from node.api.state import NodeState
from node.watcher import ledger_known_until
from servicelayer.epochs.pipeline import Step
from servicelayer.epochs.steps import (
    AnchorAccount,
    anchor_step,
    compute_step,
    settle_step,
    verify_step,
)
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.signing import KeySigning
from servicelayer.probes.runs import probe_gate
from servicelayer.settlement.lock import settlement_lock
from servicelayer.settlement.plan import Plan
from servicelayer.settlement.records import PlanSummary

log = logging.getLogger("acenode.epochs")


class Pipeline:
    """The node's epoch steps; holds one Horizon client for the ledger steps."""

    def __init__(self, state: NodeState) -> None:
        self.state = state
        self.horizon: Horizon | None = None

    def ledger(self) -> Horizon:
        if self.horizon is None:
            self.horizon = wiring.horizon(self.state.settings)
        return self.horizon

    def close(self) -> None:
        if self.horizon is not None:
            self.horizon.close()
        if self.state.federation is not None:
            self.state.federation.close()

    def steps(self) -> list[Step]:
        s, runtime, db = self.state.settings, self.state.runtime, self.state.database
        return [
            verify_step(
                runtime, s.epoch_seconds, probe_gate(db, s.epoch_seconds, self.state.clock)
            ),
            compute_step(
                runtime,
                s.epoch_seconds,
                self.ledger_known,
                mints=self.state.federation is not None,
            ),
            *self.ledger_steps(),
        ]

    def ledger_steps(self) -> list[Step]:
        """Anchor, then pay: alone with this node's keys, or as one of a federation."""
        s, runtime, db = self.state.settings, self.state.runtime, self.state.database
        federation = self.state.federation
        if federation is not None:
            validator = federation.validator
            return [
                validator.anchor_step(),
                settle_step(runtime, db, s.epoch_seconds, validator.settle),
            ]
        return [
            anchor_step(db, self.anchor_account),
            settle_step(runtime, db, s.epoch_seconds, self.settle),
        ]

    def ledger_known(self) -> int | None:
        s = self.state.settings
        return ledger_known_until(self.state.database, s.stellar.horizon_url, s.watcher.enabled)

    def settle(self, plan: Plan, epoch: int) -> PlanSummary:
        db = self.state.database
        with (
            wiring.settlement(self.state.settings, database=db) as service,
            settlement_lock(db),
        ):
            service.prepare(plan, source=f"epoch {epoch}")
            return service.settle(plan.id)

    def anchor_account(self) -> AnchorAccount:
        s = self.state.settings
        return AnchorAccount(
            self.ledger(),
            s.network_passphrase,
            wiring.dao_keys(s).public("anchor"),
            KeySigning(keys := wiring.treasury_signers(wiring.validators(s))),
            [k.public_key for k in keys],
            s.stellar.base_fee,
        )
