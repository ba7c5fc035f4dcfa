"""The economic cap: bandwidth rewards come only out of what viewers actually paid.

Each viewer's bandwidth payment for a swarm is split among the uploaders (and CDN
operators) that served that viewer in that swarm, in proportion to the bytes they
claimed; each claim then receives its share times its verdict weight. A rejected or
down-weighted claim's share is not redistributed to the others: it stays unallocated.
So:

- total payouts never exceed total payments (floor division; the remainder stays
  unallocated in the treasury);
- receipts signed by an account that paid nothing earn nothing, so fake downloaders
  cannot dilute the honest uploaders' share of a swarm;
- a self-dealing group earns back at most what its own members paid (fraud never earns
  more than it costs), and only the verified part of it: a paying sybil whose receipts
  are cut to 1 % of their weight gets back 1 % of its payment.

All integer arithmetic; accounts and pools are processed in sorted order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from servicelayer.verification.model import BandwidthClaim, CdnClaim, ViewerPayment
from servicelayer.verification.tolerances import PPM
from servicelayer.verification.verdicts import EpochVerification

Pool = tuple[str, str]
"""(paying viewer, infohash)."""


@dataclass(frozen=True)
class BandwidthPayouts:
    """Per-claim shares, per-account totals and what no verified claim earned."""

    by_receipt: tuple[tuple[str, int], ...]
    by_account: tuple[tuple[str, int], ...]
    paid_in: int
    unallocated: int

    def accounts(self) -> dict[str, int]:
        return dict(self.by_account)


def _rows(claims: Iterable[BandwidthClaim | CdnClaim]) -> list[tuple[str, str, str, str, int]]:
    """(receipt_id, payee, payer, infohash, delta) of each claim, sorted by receipt id."""
    rows = []
    for c in claims:
        if isinstance(c, BandwidthClaim):
            rows.append((c.receipt_id, c.uploader, c.downloader, c.infohash, c.delta_bytes))
        else:
            rows.append((c.receipt_id, c.operator, c.viewer, c.content, c.delta_bytes))
    return sorted(rows)


def split_payments(
    weights: Mapping[str, int],
    claims: Iterable[BandwidthClaim | CdnClaim],
    payments: Iterable[ViewerPayment],
) -> BandwidthPayouts:
    """Split every (viewer, swarm) payment among the claims that viewer signed there:
    claim share = payment x claimed bytes / all bytes the viewer claimed there x weight.

    ``weights`` maps receipt id to its verdict weight in ppm; claims without a weight
    are not payable.
    """
    pools: dict[Pool, int] = {}
    for p in sorted(payments, key=lambda p: (p.payer, p.infohash, p.amount)):
        pools[(p.payer, p.infohash)] = pools.get((p.payer, p.infohash), 0) + p.amount
    members: dict[Pool, list[tuple[str, str, int, int]]] = {}
    for rid, payee, payer, infohash, delta in _rows(claims):
        weight = max(0, min(PPM, weights.get(rid, 0)))
        if delta > 0 and (payer, infohash) in pools and payee != payer:
            members.setdefault((payer, infohash), []).append((rid, payee, delta, weight))
    by_receipt: dict[str, int] = {}
    by_account: dict[str, int] = {}
    for pool, amount in sorted(pools.items()):
        served = members.get(pool, [])
        claimed = sum(delta for _, _, delta, _ in served)
        for rid, payee, delta, weight in served:
            share = amount * delta * weight // (claimed * PPM)
            if share == 0:
                continue
            by_receipt[rid] = share
            by_account[payee] = by_account.get(payee, 0) + share
    paid_in = sum(pools.values())
    paid_out = sum(by_receipt.values())
    return BandwidthPayouts(
        tuple(sorted(by_receipt.items())),
        tuple(sorted((a, v) for a, v in by_account.items() if v > 0)),
        paid_in,
        paid_in - paid_out,
    )


def payable_bandwidth(
    verdicts: Mapping[str, int] | EpochVerification,
    claims: Iterable[BandwidthClaim | CdnClaim],
    payments: Iterable[ViewerPayment],
) -> dict[str, int]:
    """Stroops each account earns for bandwidth this epoch, capped by viewer payments.

    ``verdicts`` is the epoch's verification or a receipt id -> weight (ppm) mapping.
    """
    weights = verdicts.weights() if isinstance(verdicts, EpochVerification) else verdicts
    return split_payments(weights, claims, payments).accounts()
