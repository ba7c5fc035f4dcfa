"""Governance on a federation: balance snapshots agreed in the input sets, and the count of
votes at every close.

Proposals, votes and delegations reach a federation as signed writes, sealed and applied
at the close like any other (``node/api/agreed_writes.py``), each at the last ledger
closed when it was sealed (``Horizon.ledger_at``). What a write cannot carry is the
balance snapshot that weighs a proposal's votes: Horizon serves only current balances,
and validators read them at different moments. So the snapshot is agreed with the input
set. The set's leader reads the governance token's holders as the watcher does (at a
ledger no holder's trustline changed after) and puts one :class:`Snapshot` into the set:
those balances, without what the DAO itself holds, for every active proposal still
without one, each at ``max(start_ledger, newest)``, where ``newest`` is the last ledger
any holder's trustline changed in (the balances are the same from there on). A follower
reads the holders itself and signs the set only if it reads the very same snapshot
(``snapshot_mismatch``; the next round's leader reads again). Every validator then
records the set's snapshot before the set's batches, and counts the votes that ended by
the cut-off after them (``tick``), so a proposal's votes open, close and are counted at
the same point everywhere.

Known limit: a holder who emptied and removed its trustline after ``newest`` is not among
the holders read, so such a reading covers the ledgers after that removal only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy.orm import Session

from contracts.core import EventRejected
from contracts.moderation import ModerationState, ProposalStatus, ReceiveBalanceSnapshot
from servicelayer.errors import InvalidInput, LedgerUnavailable
from servicelayer.governance.execution import MODERATION, Decisions, report, tick
from servicelayer.ledger.horizon import Horizon
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import api_context
from servicelayer.watcher.balances import governance_asset, read_holders

log = logging.getLogger("acenode.federation")

MAX_HOLDERS = 10_000
"""Holders a snapshot may list: an input set travels in one message (1 MiB)."""
MAX_PROPOSALS = 1_000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Governance-token balances (by account, all positive) and the proposals they weigh,
    each with the ledger they are taken at."""

    proposals: tuple[tuple[int, int], ...]  # (proposal id, ledger), by id
    balances: tuple[tuple[str, int], ...]  # by account

    def summary(self) -> str:
        """For the log: which proposals at which ledgers, how many holders, how much."""
        total = sum(amount for _, amount in self.balances)
        at = ", ".join(f"#{p} at {ledger}" for p, ledger in self.proposals)
        return f"{at}: {len(self.balances)} holder(s) of {total} stroops"

    def body(self) -> dict[str, Any]:
        return {
            "proposals": [list(p) for p in self.proposals],
            "balances": [list(b) for b in self.balances],
        }

    @staticmethod
    def of(body: object) -> Snapshot | None:
        """The snapshot in ``body`` (None: none), checked for its shape."""
        if body is None:
            return None
        problem = InvalidInput(
            f"a snapshot is {{proposals: [[id, ledger], ...], balances: [[account, stroops], "
            f"...]}}, 1..{MAX_PROPOSALS} proposals, 1..{MAX_HOLDERS} balances, both sorted",
            code="bad_message",
        )
        if not isinstance(body, dict) or set(body) != {"proposals", "balances"}:
            raise problem
        proposals, balances = body["proposals"], body["balances"]
        if not (
            isinstance(proposals, list)
            and isinstance(balances, list)
            and 0 < len(proposals) <= MAX_PROPOSALS
            and 0 < len(balances) <= MAX_HOLDERS
            and all(_pair(p, int) and p[0] > 0 and p[1] >= 0 for p in proposals)
            and all(_pair(b, str) and len(b[0]) == 56 and b[1] > 0 for b in balances)
            and _increasing([p[0] for p in proposals])
            and _increasing([b[0] for b in balances])
        ):
            raise problem
        return Snapshot(
            tuple((p[0], p[1]) for p in proposals), tuple((b[0], b[1]) for b in balances)
        )


def _increasing(keys: list[Any]) -> bool:
    return all(a < b for a, b in pairwise(keys))


def _pair(value: object, first: type) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and type(value[0]) is first
        and type(value[1]) is int
        and value[1] < 1 << 63
    )


class AgreedGovernance:
    """The contracts' side of governance on a federation (``Agreeing.governance``)."""

    def __init__(self, runtime: ContractRuntime, epoch_seconds: int) -> None:
        self.runtime = runtime
        self.epoch_seconds = epoch_seconds

    def read(self, session: Session, horizon: Horizon, treasury: str) -> Snapshot | None:
        """The snapshot this validator reads now for the proposals waiting for one (None:
        none waits, no governance token, or nobody but the DAO holds it). Raises
        LedgerUnavailable when the holders kept changing while read."""
        token = governance_asset(self.runtime, session)
        if token is None:
            return None
        state: ModerationState = self.runtime.current(session, MODERATION)[0]
        waiting = [
            (p.id, p.start_ledger)
            for _, p in sorted(state.proposals.items())
            if p.status == ProposalStatus.ACTIVE and p.snapshot is None
        ][:MAX_PROPOSALS]
        if not waiting:
            return None
        read = read_holders(horizon, token.asset)
        if read is None:
            raise LedgerUnavailable(f"the {token.asset.code} holders kept changing while read")
        dao = {treasury, token.distribution}
        held = read.balances.items()
        balances = tuple(sorted((a, n) for a, n in held if n > 0 and a not in dao))
        if not balances:
            return None  # nothing to weigh the votes with yet
        if len(balances) > MAX_HOLDERS:
            log.warning(
                "%d holders of %s: more than a snapshot may carry (%d); proposals wait",
                len(balances),
                token.asset.code,
                MAX_HOLDERS,
            )
            return None
        return Snapshot(tuple((pid, max(start, read.newest)) for pid, start in waiting), balances)

    def record(self, session: Session, snapshot: Snapshot, at: int) -> None:
        """Record the agreed ``snapshot`` of each of its proposals (as of ``at``)."""
        ctx = api_context(at, self.epoch_seconds)
        for proposal, ledger in snapshot.proposals:
            action = ReceiveBalanceSnapshot(proposal, ledger, snapshot.balances)
            [applied] = self.runtime.apply(session, MODERATION, [action], ctx)
            refused = [e.code for e in applied.events if isinstance(e, EventRejected)]
            if refused:
                log.warning("snapshot of proposal %d refused: %s", proposal, refused[0])
            else:
                log.info("proposal %d: snapshot at ledger %d recorded", proposal, ledger)

    def tick(self, session: Session, at: int) -> Decisions | None:
        """Count the votes that ended and carry out the decisions due by ``at`` (a voted
        mint: in the settlement plan of the epoch ``at`` is in)."""
        ctx = api_context(at, self.epoch_seconds)
        decisions = tick(self.runtime, session, ctx, mint_here=False)
        if decisions is not None:
            report(decisions)
        return decisions
