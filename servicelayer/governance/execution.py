"""Carrying out the DAO's decisions: moderation's tick, its fan-out, approved mints.

A decision is one database transaction: moderation's action (``ActionTick`` when some
vote has ended or some timelock has elapsed) and every other contract's share of the
events it produced (``contracts.bridges.fan_out``), each journaled by the runtime like any
action. A mint the DAO approved becomes the issuance's ``ActionMintByVote``; its
``SendIssue`` effect is recorded for the ledger in that same transaction
(``record_submissions``), and only after the commit does the issuance service pay it from
the issuer, looking the envelope up by hash before any resubmission. So a decision is
carried out once: a second tick finds nothing due, and a restart finishes the recorded
mint instead of minting again.

On a federation a validator holds one key, so it cannot mint alone: there the mint is not
recorded here (``mint_here=False``) but paid by the issuer in the settlement plan of the
epoch that journaled it, co-signed like every payment (``servicelayer.epochs.accounting``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from contracts.bridges import after_catalog, fan_out
from contracts.core import Action, Context, Event, EventRejected
from contracts.moderation import (
    ActionTick,
    EventProposalExecuted,
    EventProposalFinalised,
    ModerationState,
    tick_due,
)
from servicelayer.errors import ServiceLayerError
from servicelayer.issuance.service import IssuanceService, record_submissions
from servicelayer.issuance.submissions import unfinished_counts
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import api_context
from servicelayer.services.idempotency import IdempotentRunner
from servicelayer.storage.db import Database
from servicelayer.storage.exclusive import exclusive

log = logging.getLogger("acenode.governance")

MODERATION = "moderation"
ISSUANCE = "issuance"
CATALOG = "catalog"
_ADVISORY_KEY = 0x0060_7E00  # "gov"


@dataclass(frozen=True, slots=True)
class Carried:
    """One consumer's action for a decision, as journaled (``refused``: its code, or "")."""

    contract: str
    seq: int
    action: str
    refused: str = ""


@dataclass(frozen=True, slots=True)
class Decisions:
    events: tuple[Event, ...]  # moderation's own events
    carried: tuple[Carried, ...]

    @property
    def finalised(self) -> tuple[int, ...]:
        return tuple(e.proposal_id for e in self.events if isinstance(e, EventProposalFinalised))

    @property
    def executed(self) -> tuple[int, ...]:
        return tuple(e.proposal_id for e in self.events if isinstance(e, EventProposalExecuted))


def apply_moderation(
    runtime: ContractRuntime,
    session: Session,
    actions: Sequence[Action],
    ctx: Context,
    *,
    mint_here: bool = True,
) -> Decisions:
    """Apply moderation ``actions`` and, in ``session`` (the caller commits), every other
    contract's action for the events they produce. Whoever applies a moderation action
    that can decide something (tick, finalize, execute, appeal) goes through here.
    ``mint_here``: record a voted mint for this node's issuance service to carry out."""
    events = [
        e for applied in runtime.apply(session, MODERATION, actions, ctx) for e in applied.events
    ]
    carried: list[Carried] = []
    pending = list(fan_out(events))
    while pending:
        name, action = pending.pop(0)
        [applied] = runtime.apply(session, name, [action], ctx)
        refused = next((e.code for e in applied.events if isinstance(e, EventRejected)), "")
        if name == ISSUANCE and not refused and mint_here:
            record_submissions(session, applied.seq, applied.events)
        if name == CATALOG and not refused:
            pending[0:0] = after_catalog(action, applied.events)
        carried.append(Carried(name, applied.seq, type(action).__name__, refused))
    return Decisions(tuple(events), tuple(carried))


def tick(
    runtime: ContractRuntime, session: Session, ctx: Context, *, mint_here: bool = True
) -> Decisions | None:
    """``ActionTick`` with its fan-out when a vote has ended or a timelock has elapsed at
    ``ctx.close_time``; None (nothing journaled) when nothing is due."""
    state: ModerationState = runtime.current(session, MODERATION)[0]
    if not tick_due(state, ctx.close_time):
        return None
    return apply_moderation(runtime, session, [ActionTick()], ctx, mint_here=mint_here)


@dataclass
class Outcome:
    decisions: Decisions | None = None
    minted: list[str] = field(default_factory=list)  # asset codes whose mints applied
    problems: list[str] = field(default_factory=list)  # why a mint is still waiting


IssuanceFactory = Callable[[], AbstractContextManager[IssuanceService]]


class GovernanceExecutor:
    """One run of the governance job: decide (one transaction), then mint on the ledger.

    ``writes`` serialises the decision with the API's own mutations; ``issuance`` builds
    the issuance service (ledger access, DAO keys) only when a voted mint is unfinished.
    One run at a time per database, across processes.
    """

    def __init__(
        self,
        db: Database,
        runtime: ContractRuntime,
        writes: IdempotentRunner,
        clock: Callable[[], int],
        epoch_seconds: int,
        issuance: IssuanceFactory,
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.writes = writes
        self.clock = clock
        self.epoch_seconds = epoch_seconds
        self.issuance = issuance

    def run(self) -> Outcome:
        """Raises Conflict ``busy`` while another process runs it."""
        busy = "another process is carrying out governance decisions on this database"
        with exclusive(self.db, "governance", _ADVISORY_KEY, busy):
            outcome = Outcome(self.decide())
            self.carry_out_mints(outcome)
        return outcome

    def decide(self) -> Decisions | None:
        ctx = api_context(self.clock(), self.epoch_seconds)
        decisions = self.writes.write(lambda s: tick(self.runtime, s, ctx))
        if decisions is not None:
            report(decisions)
        return decisions

    def carry_out_mints(self, outcome: Outcome) -> None:
        with self.db.session() as s:
            codes = sorted(unfinished_counts(s))  # voted mints, access tokens, ...
        if not codes:
            return
        try:
            with self.issuance() as service:
                for code in codes:
                    try:
                        service.resume(code)
                    except ServiceLayerError as exc:
                        outcome.problems.append(f"{code}: {exc.detail}")
                    else:
                        outcome.minted.append(code)
        except ServiceLayerError as exc:  # no DAO keys, ledger unreachable
            outcome.problems.append(exc.detail)
        for problem in outcome.problems:
            log.warning("a mint is not on the ledger yet: %s", problem)


def report(decisions: Decisions) -> None:
    """Log what governance decided, and what a contract refused to carry out."""
    log.info(
        "governance: finalised %s, executed %s",
        list(decisions.finalised) or "none",
        list(decisions.executed) or "none",
    )
    for c in decisions.carried:
        if c.refused and c.refused not in ("unknown_content", "already_delisted"):
            log.warning("%s refused %s (#%d): %s", c.contract, c.action, c.seq, c.refused)
