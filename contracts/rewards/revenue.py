"""Provider revenue, and the network fee that funds the reward pools.

Every payment for content (a subscription period, a bundle share, a pay-per-view
purchase, billed minutes) reaches the treasury, and the contracts say what each provider
earned from it (``SendProviderRevenue``). The epoch's accounting withholds the DAO's
network fee from each line (``network.fee_bps``, rounded down in the provider's
disfavour by at most one stroop) and pays the provider the rest.

The fees are what viewers paid the network. They are attributed to the provider's
contents by the epoch's verified viewing seconds (exactly, by largest remainder), and
the rewards contract splits each content's share among the peers that verifiably served
it and the content's creator, and the epoch's total among moderators and ad viewers.
A provider none of whose contents was verifiably watched in the epoch has its fee
attributed to no content: it stays in the treasury. So a swarm's bandwidth rewards never
exceed what its viewers paid, and self-dealing never earns back what it costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from contracts.common import BPS, SendProviderRevenue, largest_remainder
from contracts.core import Asset

ProviderAsset = tuple[str, Asset]


@dataclass(frozen=True, slots=True)
class Withheld:
    """Revenue lines net of the fee (zero lines dropped), and the fee per provider/asset."""

    net: tuple[SendProviderRevenue, ...]
    fees: tuple[tuple[ProviderAsset, int], ...]


def withhold_fee(lines: Iterable[SendProviderRevenue], fee_bps: int) -> Withheld:
    if not 0 <= fee_bps <= BPS:
        raise ValueError("fee_bps must be within 0..10000")
    net: list[SendProviderRevenue] = []
    fees: dict[ProviderAsset, int] = {}
    for line in lines:
        fee = line.amount * fee_bps // BPS
        if fee:
            key = (line.provider, line.asset)
            fees[key] = fees.get(key, 0) + fee
        if line.amount - fee:
            net.append(
                SendProviderRevenue(line.provider, line.asset, line.amount - fee, line.reference)
            )
    ordered = sorted(fees.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
    return Withheld(tuple(net), tuple(ordered))


@dataclass(frozen=True, slots=True)
class Attributed:
    """Per asset: (content, stroops) for the rewards contract, and what went to no content."""

    asset: Asset
    viewer_payments: tuple[tuple[str, int], ...]
    unattributed: int


def attribute_fees(
    fees: Sequence[tuple[ProviderAsset, int]], seconds: Mapping[tuple[str, str], int]
) -> tuple[Attributed, ...]:
    """Spread each provider's fee over its contents by verified viewing ``seconds``
    (keyed by (provider, content)); one result per asset, sorted by asset."""
    per_asset: dict[Asset, dict[str, int]] = {}
    lost: dict[Asset, int] = {}
    for (provider, asset), fee in fees:
        weights = [(c, s) for (p, c), s in sorted(seconds.items()) if p == provider and s > 0]
        shares = largest_remainder(fee, weights)
        payments = per_asset.setdefault(asset, {})
        for content, amount in shares:
            payments[content] = payments.get(content, 0) + amount
        if not shares:
            lost[asset] = lost.get(asset, 0) + fee
    return tuple(
        Attributed(asset, tuple(sorted(per_asset[asset].items())), lost.get(asset, 0))
        for asset in sorted(per_asset, key=str)
    )
