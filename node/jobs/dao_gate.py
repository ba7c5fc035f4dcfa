"""The DAO accounts before the ledger steps: created on the embedded ledger, waited for.

Settling and anchoring an epoch sign with the validators' keys as signers of the DAO
accounts. Until ``acenode dao bootstrap`` (or, on the embedded ledger, the node itself)
has configured every account, such a transaction can only be refused (``tx_bad_auth``),
so those steps wait, and the log says so once; the steps before them go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from node import settlement as wiring
from node.api.state import NodeState
from servicelayer.dao.keys import DaoKeys
from servicelayer.dao.lock import BootstrapRunning
from servicelayer.dao.readiness import waiting_for
from servicelayer.epochs.pipeline import Step
from servicelayer.errors import ServiceLayerError
from servicelayer.ledger.horizon import Horizon

log = logging.getLogger("acenode.epochs")
LEDGER_STEPS = frozenset({"settled", "anchored"})
RECHECK_SECONDS = 60.0
CANNOT = "cannot create them yet"


class DaoGate:
    def __init__(self, state: NodeState, ledger: Callable[[], Horizon]) -> None:
        self.state = state
        self.ledger = ledger
        self.ready_at: float | None = None  # when the accounts were last found configured
        self.waiting: str | None = None

    def steps(self, steps: Sequence[Step]) -> list[Step]:
        """All ``steps`` once the DAO accounts are ready, else those before the ledger's."""
        if self.check():
            return list(steps)
        return [step for step in steps if step.reaches not in LEDGER_STEPS]

    def check(self) -> bool:
        """Whether the DAO accounts are as configured: checked at every tick until they
        are, then every ``RECHECK_SECONDS`` (the validator set may change on the ledger)."""
        now = time.monotonic()
        if self.ready_at is not None and now - self.ready_at < RECHECK_SECONDS:
            return True
        try:
            waiting = self._waiting()
        except ServiceLayerError as exc:  # the ledger steps try, and record what stops them
            log.debug("DAO accounts not checked: %s", exc.detail)
            return True
        s = self.state.settings
        if waiting is not None and s.stellar.runs_embedded_ledger and not s.federation.members:
            waiting = self._create()  # a federation's validators share accounts made once
        if waiting is None:
            self.ready_at = now
            if self.waiting is not None:
                log.info("the DAO accounts are configured: epochs are settled and anchored")
            self.waiting = None
            return True
        if self.waiting is None:
            log.warning("settling and anchoring epochs wait for the DAO accounts: %s", waiting)
        elif waiting != self.waiting:  # progress is a debug line; a new failure is not
            level = logging.WARNING if waiting.startswith(CANNOT) else logging.DEBUG
            log.log(level, "still waiting for the DAO accounts: %s", waiting)
        self.waiting = waiting
        return False

    def _waiting(self) -> str | None:
        s = self.state.settings
        policy = wiring.validators(s).policy
        return waiting_for(self.ledger(), DaoKeys(s.data_dir), policy, s.stellar.channels)

    def _create(self) -> str | None:
        """On the embedded ledger the node creates the DAO accounts itself (idempotent); on
        any other network that is the operator's `acenode dao bootstrap`."""
        s = self.state.settings
        try:
            steps = wiring.bootstrap(s, self.ledger()).run(s.stellar.channels, wait=False)
            log.info("DAO accounts on the embedded ledger: %d step(s)", len(steps))
            return self._waiting()
        except BootstrapRunning as exc:
            return exc.detail
        except ServiceLayerError as exc:
            return f"{CANNOT}: {exc.detail}"
