"""The governance token's balance index, and the proposals' balance snapshots from it.

The governance asset is the issuance contract's one asset of kind ``governance``. At each
tick the watcher reads every holder from Horizon (``/accounts?asset=CODE:ISSUER``) and
keeps the result as the balances at the ledger it read them at, provided no holder's
trustline changed after that ledger (each balance carries ``last_modified_ledger``); else
it reads again. A proposal whose ``start_ledger`` the index has reached gets
``ReceiveBalanceSnapshot`` with the balances as of that ledger, less what the DAO itself
holds (the asset's distribution account and the treasury): unissued supply has no voice
and would only weigh down the quorum.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contracts.core import Asset, Context, EventRejected
from contracts.issuance import AssetKind, IssuanceState, IssuedAsset
from contracts.moderation import ModerationState, ProposalStatus, ReceiveBalanceSnapshot
from contracts.moderation.tally import delegations_as_of
from servicelayer.epochs.clock import epoch_of
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.records import LedgerHead
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import watcher_repo as repo

log = logging.getLogger("acenode.watcher")

CONSISTENT_TRIES = 3


@dataclass(frozen=True, slots=True)
class Holders:
    """The holders of an asset with their balances, as they stand at ``head``, and the last
    ledger any holder's trustline changed in: the balances hold from ``newest`` to ``head``."""

    head: LedgerHead
    balances: dict[str, int]
    newest: int


def read_holders(feed: Horizon, asset: Asset, head: LedgerHead | None = None) -> Holders | None:
    """The holders at a ledger no holder's trustline changed after: ``head`` (read now if
    not given) or, when one changed while they were read, a later one; None when they kept
    changing."""
    for attempt in range(CONSISTENT_TRIES):
        if attempt or head is None:
            head = feed.head()
        balances, newest = feed.holders(asset)
        if newest <= head.sequence:
            return Holders(head, balances, newest)
    return None


def index_mark(asset: Asset) -> str:
    return f"balances:{asset.code}:{asset.issuer}"


def asset_name(asset: Asset) -> str:
    return f"{asset.code}:{asset.issuer}"


def governance_asset(runtime: ContractRuntime, session: Session) -> IssuedAsset | None:
    """The issuance contract's governance token (it allows one), if defined."""
    if "issuance" not in runtime.specs:
        return None
    state: IssuanceState = runtime.current(session, "issuance")[0]
    found = [a for a in state.assets.values() if a.kind == AssetKind.GOVERNANCE]
    return min(found, key=lambda a: (a.asset.code, a.asset.issuer)) if found else None


def indexed_ledger(session: Session, asset: Asset) -> int:
    row = repo.mark(session, index_mark(asset))
    return row.ledger if row is not None else 0


def record_holders(
    session: Session, asset: Asset, head: LedgerHead, holders: dict[str, int]
) -> int:
    """Keep ``holders`` as the balances at ``head``; the number of balances that changed."""
    if indexed_ledger(session, asset) >= head.sequence:
        return 0
    changed = repo.record_balances(session, asset_name(asset), head.sequence, holders)
    repo.set_mark(session, index_mark(asset), ledger=head.sequence, closed_at=head.closed_at)
    return changed


def record_snapshots(
    runtime: ContractRuntime,
    session: Session,
    token: IssuedAsset,
    epoch_seconds: int,
    dao_accounts: frozenset[str] = frozenset(),
) -> list[int]:
    """Record the snapshot of every active proposal whose start ledger the index has
    reached (without the distribution account's and ``dao_accounts``' balances); the ids
    of the proposals that got one."""
    asset, excluded = token.asset, dao_accounts | {token.distribution}
    mark = repo.mark(session, index_mark(asset))
    if mark is None:
        return []
    state: ModerationState = runtime.current(session, "moderation")[0]
    waiting = [
        p
        for _, p in sorted(state.proposals.items())
        if p.status == ProposalStatus.ACTIVE
        and p.snapshot is None
        and p.start_ledger <= mark.ledger
    ]
    recorded = []
    ctx = Context(epoch_of(mark.closed_at, epoch_seconds), mark.closed_at)
    for p in waiting:
        held = repo.balances_at(session, asset_name(asset), p.start_ledger)
        balances = {a: held[a] for a in sorted(held) if a not in excluded}
        if not balances:
            continue  # nobody held the token then: nothing to weigh the votes with
        action = ReceiveBalanceSnapshot(p.id, p.start_ledger, tuple(sorted(balances.items())))
        [applied] = runtime.apply(session, "moderation", [action], ctx)
        refused = [e for e in applied.events if isinstance(e, EventRejected)]
        if refused:
            log.warning("snapshot of proposal %d refused: %s", p.id, refused[0].code)
            continue
        recorded.append(p.id)
    return recorded


def indexed_weight(
    runtime: ContractRuntime, session: Session, account: str, ledger: int
) -> int | None:
    """``account``'s weight at ``ledger`` (own balance + its delegators') as the balance
    index has it, without the distribution account's balance; None if the index has not
    reached ``ledger`` (or there is no governance token)."""
    token = governance_asset(runtime, session)
    if token is None or indexed_ledger(session, token.asset) < ledger:
        return None
    held = repo.balances_at(session, asset_name(token.asset), ledger)
    held.pop(token.distribution, None)
    state: ModerationState = runtime.current(session, "moderation")[0]
    delegations = delegations_as_of(state, ledger)
    delegated = [d for d in sorted(delegations) if delegations[d] == account and d != account]
    return held.get(account, 0) + sum(held.get(d, 0) for d in delegated)
