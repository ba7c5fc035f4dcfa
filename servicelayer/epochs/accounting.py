"""The epoch pipeline's contracts step: verified usage in, the epoch's payouts out.

For a verified epoch E (context: epoch E, close time = the end of E), in one transaction:

1. verified viewing goes to the subscriptions contract (bundle splits) and to per-minute
   billing (charged per started minute); then time passes to the end of E (renewals,
   dunning, splits due) and billing pays its providers;
2. every provider revenue line, refund and returned bond that E earned is collected:
   the events of the journal entries whose context epoch is E (``epoch_entries``), i.e.
   whose ledger close time lies in [start of E, end of E), plus those of E's own
   accounting actions in 1 (context: epoch E at its end); the network fee is withheld
   from each revenue line (``contracts.rewards.revenue``) and attributed to contents by
   verified viewing time;
3. the rewards contract records the epoch's facts (those fees, verified bytes per
   uploader and swarm, verified seconds per creator, moderators' votes) and plans the
   payouts whose cumulative payable amount reached the DAO's minimum;
4. the payouts (provider revenue net of the fee, refunds, rewards) are stored in a fixed
   order; the settle step pays exactly these. On a federation (``mints``), the mints the
   DAO voted that E journaled are payouts too, paid by the token's issuer: a validator
   holds one key, so a mint is co-signed and paid exactly once like the rest of the plan
   (a node alone mints at once with the DAO's keys, ``servicelayer.issuance``).

A receipt counts by its verdict: its delta times ``weight_ppm / 10^6``, rounded down. A
``deferred`` verdict counts nothing in its epoch; the later epoch that releases it counts
it then, by its resolution's weight (``verdict_resolutions``, one per receipt).
Everything is integer and processed in sorted order, so every validator computes the
same journal and the same payouts from the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from contracts import access, subscriptions
from contracts.billing import ActionPayProviders, ReceiveViewingMinutes
from contracts.canonical import canonical_bytes
from contracts.common import SendPayout, SendProviderRevenue, SendRefund
from contracts.core import Action, Context, Event
from contracts.issuance import SendIssue
from contracts.moderation import participation
from contracts.moderation.params import default_params
from contracts.rewards import ActionPlanPayouts, ReceiveEpochFacts
from contracts.rewards.revenue import attribute_fees, withhold_fee
from contracts.subscriptions import ReceiveLedgerClose, ReceiveVerifiedViewing
from servicelayer.epochs.clock import epoch_bounds
from servicelayer.receipts.model import Kind
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import epochs_repo, journal_repo, receipts_repo, verdicts_repo
from servicelayer.storage.epoch_models import EpochMark, EpochPayout, EpochRecord

PPM = 1_000_000
PAYING = ("subscriptions", "access", "billing")  # contracts whose revenue lines are paid
RETURNING = ("moderation",)  # contracts that only return money (an appeal's bond)
REWARD, REVENUE, REFUND, MINT = "reward", "revenue", "refund", "mint"
AD_TAG = "ad"  # a catalog tag: viewing such an item is an ad view


@dataclass
class VerifiedUsage:
    """An epoch's receipts as their verdicts count them."""

    served: dict[tuple[str, str], int] = field(default_factory=dict)  # (uploader, infohash)
    watched: dict[tuple[str, str], int] = field(default_factory=dict)  # (viewer, content)
    spans: list[tuple[str, str, str, int, int, int]] = field(default_factory=list)
    # (viewer, content, session, from second, to second, window start) of verified viewing
    views: dict[tuple[str, str], int] = field(default_factory=dict)  # verified viewing receipts

    def seconds_by_content(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (_, content), seconds in self.watched.items():
            totals[content] = totals.get(content, 0) + seconds
        return totals


def verified_usage(session: Session, epoch: int, epoch_seconds: int) -> VerifiedUsage:
    """The epoch's receipts by their verdicts, plus the earlier epochs' deferred receipts
    this epoch released (each counted once: in the epoch that resolved it)."""
    start, end = epoch_bounds(epoch, epoch_seconds)
    weights = {v.receipt_id: v.weight_ppm for v in verdicts_repo.in_epoch(session, epoch)}
    usage = VerifiedUsage()
    for r in receipts_repo.records_in_windows(session, start, end):
        counted = (r.amount - r.base) * weights.get(r.receipt_id, 0) // PPM
        if counted <= 0:
            continue
        if r.kind == Kind.VIEWING:
            key = (r.signer, r.content)
            usage.watched[key] = usage.watched.get(key, 0) + counted
            usage.views[key] = usage.views.get(key, 0) + 1
            span = (r.signer, r.content, r.session, r.base, r.base + counted, r.window_start)
            usage.spans.append(span)
        else:  # bandwidth and CDN: the serving side earns
            key = (r.counterparty or "", r.content)
            usage.served[key] = usage.served.get(key, 0) + counted
    for res in verdicts_repo.resolutions_in(session, epoch):
        record = receipts_repo.get_receipt(session, res.receipt_id) if res.weight_ppm else None
        if record is None or record.kind == Kind.VIEWING:
            continue  # rejected (nothing to count); only bandwidth and CDN are deferred
        counted = (record.amount - record.base) * res.weight_ppm // PPM
        if counted > 0:
            key = (record.counterparty or "", record.content)
            usage.served[key] = usage.served.get(key, 0) + counted
    usage.spans.sort()
    return usage


@dataclass(frozen=True)
class PlannedPayout:
    kind: str
    reference: str  # the contract's own
    account: str
    asset: str  # "native" or "CODE:ISSUER"
    amount: int
    source: str | None = None  # who pays: None is the treasury


def compute_epoch(
    runtime: ContractRuntime,
    session: Session,
    epoch: int,
    epoch_seconds: int,
    *,
    mints: bool = False,
) -> list[PlannedPayout]:
    """Run the contracts for ``epoch`` and store its payouts (see the module doc)."""
    start, end = epoch_bounds(epoch, epoch_seconds)
    ctx = Context(epoch=epoch, close_time=end, seed=b"")
    usage = verified_usage(session, epoch, epoch_seconds)

    def run(name: str, actions: Sequence[Action]) -> None:
        if name in runtime.specs and actions:
            runtime.apply(session, name, actions, ctx)

    run(
        "subscriptions",
        [ReceiveVerifiedViewing(epoch, v, c, s) for (v, c), s in sorted(usage.watched.items())]
        + [ReceiveLedgerClose()],
    )
    run(
        "billing",
        [
            ReceiveViewingMinutes(v, c, sess, span=(a, b))
            for v, c, sess, a, b, at in usage.spans
            if _billed_per_minute(runtime, session, v, c, at)
        ]
        + [ActionPayProviders()],
    )
    revenue: list[SendProviderRevenue] = []
    payouts: list[PlannedPayout] = []
    for event in _effects(runtime, session, PAYING + RETURNING, epoch):
        if isinstance(event, SendProviderRevenue):
            revenue.append(event)
        elif isinstance(event, SendRefund | SendPayout):
            payouts.append(_payout(REFUND, event.reference, event.account, event))
    params = _params(runtime, session)
    withheld = withhold_fee(revenue, params["network.fee_bps"])
    payouts += [_payout(REVENUE, e.reference, e.provider, e) for e in withheld.net]
    if "rewards" in runtime.specs:
        owners = content_owners(runtime, session)
        watched = usage.seconds_by_content()
        by_owner = {(owners[c], c): s for c, s in watched.items() if c in owners}
        votes = _participation(runtime, session, start, end)
        ads = ad_views(usage, ad_contents(runtime, session))
        facts: list[Action] = [
            ReceiveEpochFacts(
                epoch,
                attributed.asset,
                attributed.viewer_payments,
                tuple((u, c, b) for (u, c), b in sorted(usage.served.items()) if u),
                tuple((owner, c, s) for (owner, c), s in sorted(by_owner.items())),
                ads,
                votes,
            )
            for attributed in attribute_fees(withheld.fees, by_owner)
            if attributed.viewer_payments
        ]
        plan = ActionPlanPayouts(epoch, params["reward.min_payout"])
        for applied in runtime.apply(session, "rewards", [*facts, plan], ctx):
            for event in applied.events:
                if isinstance(event, SendPayout):
                    payouts.append(_payout(REWARD, event.reference, event.account, event))
    if mints:
        payouts += [
            PlannedPayout(MINT, f"mint:{e.asset.code}", e.to, str(e.asset), e.amount, e.source)
            for e in _effects(runtime, session, ("issuance",), epoch)
            if isinstance(e, SendIssue) and e.source == e.asset.issuer
        ]
    _store(runtime, session, epoch, payouts)
    return payouts


def _billed_per_minute(
    runtime: ContractRuntime, session: Session, viewer: str, content: str, at: int
) -> bool:
    """Whether viewing is charged per minute: the content has a rate, and neither a
    subscription nor a purchase covered the viewer then (the entitlement order)."""
    if "billing" not in runtime.specs:
        return False
    rates = runtime.current(session, "billing")[0].rates
    if content not in rates:
        return False
    for name, entitlement in (("subscriptions", subscriptions), ("access", access)):
        if name in runtime.specs:
            state, _ = runtime.current(session, name)
            if entitlement.entitlement(state, viewer, content, at).allowed:
                return False
    return True


def content_owners(runtime: ContractRuntime, session: Session) -> dict[str, str]:
    """content id -> the provider that owns it (catalog first, then subscriptions)."""
    owners: dict[str, str] = {}
    if "subscriptions" in runtime.specs:
        subs, _ = runtime.current(session, "subscriptions")
        owners.update({c: item.provider for c, item in subs.contents.items()})
    if "catalog" in runtime.specs:
        catalog, _ = runtime.current(session, "catalog")
        owners.update({c: item.provider for c, item in catalog.items.items()})
    return owners


def ad_contents(runtime: ContractRuntime, session: Session) -> set[str]:
    """Catalog items tagged ``ad``: watching them is an ad view."""
    if "catalog" not in runtime.specs:
        return set()
    catalog, _ = runtime.current(session, "catalog")
    return {c for c, item in catalog.items.items() if AD_TAG in item.tags}


def ad_views(usage: VerifiedUsage, ads: set[str]) -> tuple[tuple[str, int], ...]:
    """Per viewer, its verified viewing receipts on ads (one per stream and window)."""
    counts: dict[str, int] = {}
    for (viewer, content), n in usage.views.items():
        if content in ads:
            counts[viewer] = counts.get(viewer, 0) + n
    return tuple(sorted(counts.items()))


def _params(runtime: ContractRuntime, session: Session) -> dict[str, int]:
    if "moderation" not in runtime.specs:
        return default_params()
    state, _ = runtime.current(session, "moderation")
    return {**default_params(), **state.params}


def _participation(
    runtime: ContractRuntime, session: Session, start: int, end: int
) -> tuple[tuple[str, int], ...]:
    if "moderation" not in runtime.specs:
        return ()
    state, _ = runtime.current(session, "moderation")
    return participation(state, start, end)


def _payout(kind: str, reference: str, account: str, event: Any) -> PlannedPayout:
    return PlannedPayout(kind, reference, account, str(event.asset), event.amount)


def _effects(
    runtime: ContractRuntime, session: Session, contracts: Sequence[str], epoch: int
) -> list[Event]:
    """Every event the ``contracts`` journaled in ``epoch`` (and, for the first epoch the
    node accounts, before it): an entry belongs to exactly one epoch. Per contract, in
    canonical order, not journal order: the watcher applies payments as it sees them, and
    the same set of payments gives the same payouts."""
    first = epochs_repo.first(session) == epoch
    events: list[Event] = []
    for name in contracts:
        if name not in runtime.specs:
            continue
        spec = runtime.spec(name)
        mine: list[Event] = []
        for entry in journal_repo.epoch_entries(session, name, epoch, earlier=first):
            mine.extend(spec.types.loads(entry.events.encode()))
        events += sorted(mine, key=lambda e: (type(e).__name__, canonical_bytes(e)))
    return events


def _store(
    runtime: ContractRuntime, session: Session, epoch: int, payouts: list[PlannedPayout]
) -> None:
    session.execute(delete(EpochPayout).where(EpochPayout.epoch == epoch))
    session.execute(delete(EpochMark).where(EpochMark.epoch == epoch))  # a record only
    session.add_all(
        EpochPayout(
            epoch=epoch,
            position=i,
            kind=p.kind,
            reference=p.reference,
            account=p.account,
            asset=p.asset,
            amount=p.amount,
            source=p.source,
        )
        for i, p in enumerate(payouts)
    )
    session.add_all(
        EpochMark(epoch=epoch, contract=name, last_seq=journal_repo.last_seq(session, name))
        for name in sorted(runtime.specs)
    )
    record = session.get(EpochRecord, epoch)
    if record is not None:
        record.payouts = len(payouts)
    session.flush()
