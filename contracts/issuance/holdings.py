"""Moving tokens between the holdings the contract knows."""

from __future__ import annotations

from dataclasses import replace

from contracts.core import Event
from contracts.issuance.events import EventHoldingChanged, EventSupplyChanged
from contracts.issuance.state import IssuedAsset


def move(
    record: IssuedAsset, source: str | None, to: str | None, amount: int
) -> tuple[IssuedAsset, tuple[Event, ...]]:
    """Take ``amount`` from ``source`` (None: newly minted) and give it to ``to``
    (None: destroyed). The caller has checked that ``source`` holds enough."""
    holdings = dict(record.holdings)
    events: list[Event] = []
    for account, delta in ((source, -amount), (to, amount)):
        if account is None:
            continue
        balance = holdings.get(account, 0) + delta
        if balance:
            holdings[account] = balance
        else:
            holdings.pop(account, None)
        events.append(EventHoldingChanged(record.asset, account, balance))
    ordered = {a: holdings[a] for a in sorted(holdings)}
    return replace(record, holdings=ordered), tuple(events)


def supply_event(record: IssuedAsset) -> EventSupplyChanged:
    return EventSupplyChanged(record.asset, record.issued, record.outstanding)
