"""The ledger watcher: one ``tick`` follows the ledger from where the last one stopped.

A tick
1. reads the latest closed ledger;
2. credits every new payment to the treasury (``payments``), a Horizon page at a time,
   in one write transaction together with the cursor that moves past the page;
3. reads the governance token's holders and keeps them as the balances at that ledger
   (``balances``), retrying when a holder changed meanwhile;
4. records that ledger as the one the node has followed (governance takes proposals'
   ``start_ledger`` and delegations' ledgers from it; the epochs' accounting waits for
   a followed ledger closed at or after the epoch's end), only once the index has it and
   every payment up to it is credited (a backlog longer than ``max_pages`` pages is not);
5. records the balance snapshot of every proposal whose start ledger is reached.

A federation validator's tick (``agreed``) neither credits payments nor records
snapshots: the validators credit the payments when an epoch closes, in the same order as
the agreed writes (``payments_before``, ``servicelayer.federation``), and record the
snapshots their input sets agree on (``servicelayer.federation.snapshots``).

Nothing here assumes it is the only tick ever run: each step is idempotent and resumes
from what the database says. ``write`` runs one unit of work in a write transaction,
serialised with the node's other contract writers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from contracts.core import Asset
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.records import LedgerHead, ObservedPayment, paging_token, payment_of
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import watcher_repo as repo
from servicelayer.storage.db import Database
from servicelayer.watcher.balances import (
    governance_asset,
    read_holders,
    record_holders,
    record_snapshots,
)
from servicelayer.watcher.payments import credit, is_inbound

log = logging.getLogger("acenode.watcher")
T = TypeVar("T")


class Write(Protocol):
    """Runs ``work`` in one write transaction (commits, or rolls back and raises)."""

    def __call__(self, work: Callable[[Session], T]) -> T: ...


PAGE = 200


@dataclass
class TickReport:
    ledger: int = 0
    payments: list[str] = field(default_factory=list)  # statuses of the payments recorded
    backlog: bool = False  # more payments than ``max_pages`` pages: the next tick goes on
    balances_changed: int = 0
    snapshots: list[int] = field(default_factory=list)


def payments_mark(treasury: str) -> str:
    return f"payments:{treasury}"


@dataclass(frozen=True)
class LedgerFacts:
    """The treasury's payments not credited yet that closed before a time, in ledger
    order, and the paging token to continue from once they are credited."""

    treasury: str
    payments: list[ObservedPayment]
    cursor: str

    def credited(self, session: Session) -> None:
        repo.set_mark(session, payments_mark(self.treasury), cursor=self.cursor)


def payments_before(
    feed: Horizon, database: Database, treasury: str, before: int
) -> LedgerFacts | None:
    """The treasury's inbound payments after the cursor that closed before ``before``;
    None while the ledger has not closed at or past ``before`` (more may come)."""
    if feed.head().closed_at < before:
        return None
    with database.session() as s:
        row = repo.mark(s, payments_mark(treasury))
        cursor = row.cursor if row is not None else ""
    found: list[ObservedPayment] = []
    while True:
        records = feed.payments(treasury, cursor, PAGE)
        for record in records:
            p = payment_of(record)
            if p is not None and p.closed_at >= before:
                return LedgerFacts(treasury, found, cursor)
            if p is not None and is_inbound(p, treasury):
                found.append(p)
            cursor = paging_token(record)
        if len(records) < PAGE:
            return LedgerFacts(treasury, found, cursor)


def followed(session: Session) -> LedgerHead | None:
    """The ledger the node has followed up to, or None before the watcher's first tick."""
    row = repo.mark(session, repo.FOLLOWED)
    return LedgerHead(row.ledger, row.closed_at) if row is not None else None


class Watcher:
    def __init__(
        self,
        feed: Horizon,
        database: Database,
        runtime: ContractRuntime,
        write: Write,
        *,
        treasury: Callable[[], str | None],
        epoch_seconds: int,
        max_pages: int = 10,
        agreed: bool = False,
    ) -> None:
        self.feed = feed
        self.database = database
        self.runtime = runtime
        self.write = write
        self.treasury = treasury
        self.epoch_seconds = epoch_seconds
        self.max_pages = max_pages
        self.agreed = agreed  # a federation validator's: its epochs' closes apply the facts

    def tick(self) -> TickReport:
        report = TickReport()
        head = self.feed.head()
        with self.database.session() as s:
            before = followed(s)
        if before is not None and head.sequence < before.sequence:
            raise LedgerUnavailable(
                f"the ledger is at {head.sequence}, behind the {before.sequence} already "
                "followed: a different or reset ledger?"
            )
        account = self.treasury()
        if not self._credit(account, report):
            return report
        with self.database.session() as s:
            token = governance_asset(self.runtime, s)
        if token is not None:
            consistent = self.index(token.asset, head, report)
            if consistent is None:
                return report
            # the index read a later ledger: credit the payments up to it too
            if consistent.sequence > head.sequence and not self._credit(account, report):
                return report
            head = consistent
        if before is None or head.sequence > before.sequence:
            self.write(lambda s: self._advance(s, head))
        report.ledger = head.sequence
        if token is not None and not self.agreed:
            dao = frozenset([account] if account is not None else [])
            report.snapshots = self.write(
                lambda s: record_snapshots(self.runtime, s, token, self.epoch_seconds, dao)
            )
        return report

    def _credit(self, account: str | None, report: TickReport) -> bool:
        """Credit the treasury's payments up to now; False when a backlog remains (the
        ledger is not followed past payments not credited yet)."""
        if account is None or self.agreed:
            return True
        statuses, report.backlog = self.follow_payments(account)
        report.payments += statuses
        return not report.backlog

    def follow_payments(self, treasury: str) -> tuple[list[str], bool]:
        """Credit the treasury's new payments, page by page; the statuses recorded, and
        whether more remain than ``max_pages`` pages held.

        A page's payments are applied in one transaction together with the cursor moving
        past the page: all of them or none, so each is applied exactly once."""
        statuses: list[str] = []
        name = payments_mark(treasury)
        for _ in range(self.max_pages):
            with self.database.session() as s:
                row = repo.mark(s, name)
                cursor = row.cursor if row is not None else ""
            records = self.feed.payments(treasury, cursor, PAGE)
            if not records:
                break
            payments = [payment_of(r) for r in records]
            inbound = [p for p in payments if p is not None and is_inbound(p, treasury)]
            last = paging_token(records[-1])
            statuses += self.write(
                partial(self._credit_page, name=name, treasury=treasury, page=inbound, last=last)
            )
            if len(records) < PAGE:
                break
        else:
            return statuses, True
        return statuses, False

    def index(self, asset: Asset, head: LedgerHead, report: TickReport) -> LedgerHead | None:
        """Index the holders at a ledger no holder changed after; that ledger, or None when
        the holders kept changing (the next tick tries again)."""
        read = read_holders(self.feed, asset, head)
        if read is None:
            log.info("the %s holders kept changing while read; next tick again", asset.code)
            return None
        report.balances_changed = self.write(
            lambda s: record_holders(s, asset, read.head, read.balances)
        )
        return read.head

    def _credit_page(
        self,
        session: Session,
        *,
        name: str,
        treasury: str,
        page: list[ObservedPayment],
        last: str,
    ) -> list[str]:
        statuses = []
        for payment in page:
            row = credit(self.runtime, session, payment, treasury, self.epoch_seconds)
            if row is not None:
                statuses.append(row.status)
        repo.set_mark(session, name, cursor=last)
        return statuses

    @staticmethod
    def _advance(session: Session, head: LedgerHead) -> None:
        current = followed(session)
        if current is None or head.sequence > current.sequence:
            repo.set_mark(session, repo.FOLLOWED, ledger=head.sequence, closed_at=head.closed_at)
