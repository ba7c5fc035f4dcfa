"""The reward formula of one epoch (pure arithmetic, integers only).

For each content ``c`` whose viewers paid ``P_c`` in the epoch:

- bandwidth pool of c = ``floor(P_c * bandwidth_bps / 10000)``, split among the
  uploaders of c by verified bytes on c;
- creators pool of c = ``floor(P_c * creators_bps / 10000)``, split among the creators
  of c by verified viewing seconds on c.

A swarm's pools can never exceed what its own viewers paid, so bytes or seconds on
content nobody paid for earn nothing, and self-dealing (paying for one's own content
and serving it to oneself) earns back less than it costs.

With ``T = sum(P_c)``:

- moderators pool = ``floor(T * moderators_bps / 10000)`` by votes cast;
- ads pool = ``floor(T * ads_bps / 10000)`` by verified ad views.

Every split is ``largest_remainder``: shares floor first, leftover units to the
largest remainders, ties by account. The treasury keeps ``T - credited``: the
unassigned split, every pool nobody qualified for, and all rounding dust.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import bps_of, largest_remainder
from contracts.rewards.actions import ReceiveEpochFacts
from contracts.rewards.state import RewardParams


@dataclass(frozen=True, slots=True)
class Allocation:
    received: int
    credits: tuple[tuple[str, int], ...]  # (account, stroops), sorted, all > 0
    treasury: int


def _by_content(
    rows: tuple[tuple[str, str, int], ...],
) -> dict[str, list[tuple[str, int]]]:
    grouped: dict[str, list[tuple[str, int]]] = {}
    for account, content, weight in rows:
        grouped.setdefault(content, []).append((account, weight))
    return grouped


def allocate(params: RewardParams, facts: ReceiveEpochFacts) -> Allocation:
    credits: dict[str, int] = {}

    def credit(shares: tuple[tuple[str, int], ...]) -> None:
        for account, amount in shares:
            credits[account] = credits.get(account, 0) + amount

    uploaders = _by_content(facts.verified_bytes)
    creators = _by_content(facts.verified_seconds)
    received = 0
    for content, paid in sorted(facts.viewer_payments):
        received += paid
        credit(largest_remainder(bps_of(paid, params.bandwidth_bps), uploaders.get(content, [])))
        credit(largest_remainder(bps_of(paid, params.creators_bps), creators.get(content, [])))
    credit(
        largest_remainder(bps_of(received, params.moderators_bps), facts.moderator_participation)
    )
    credit(largest_remainder(bps_of(received, params.ads_bps), facts.ad_views))
    ordered = tuple((a, credits[a]) for a in sorted(credits) if credits[a] > 0)
    return Allocation(received, ordered, received - sum(v for _, v in ordered))
