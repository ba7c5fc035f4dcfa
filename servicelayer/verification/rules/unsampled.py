"""Unsampled claims: no probe saw the uploader in the claim's period or covered it (see
rules/presence.py), so reputation sets the weight.

- An uploader a probe caught in a swarm this epoch loses its other claims in that swarm.
- The uploader's probe-history weight (its failure share) applies to each claim.
- New accounts are capped until vetted: in each (downloader, swarm, window), the claims
  from uploaders that have not passed VETTING_PASSES probes may add up to at most
  NEW_UPLOADER_RATIO_PPM times the claims from vetted uploaders (largest cut first). A
  claim the cap cuts is ``deferred`` whole (verdicts.compose), and judged again by the
  next epochs (rules/deferred.py).

(The signer's own reputation tightens its bitrate bound; see rules/downloader.py.)
"""

from __future__ import annotations

from collections.abc import Callable

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.reputation import (
    ProbeOutcome,
    Reputation,
    is_vetted,
    reputation_weight,
)
from servicelayer.verification.tolerances import NEW_UPLOADER_RATIO_PPM, PPM
from servicelayer.verification.verdicts import Finding, water_fill

WindowKey = tuple[str, str, int]

PRESENCE_FAILS = frozenset({ReasonCode.UPLOADER_ABSENT, ReasonCode.UPLOADER_UNRESPONSIVE})


def caught_in_swarms(
    ix: EpochIndex, outcomes: tuple[ProbeOutcome, ...]
) -> dict[tuple[str, str], str]:
    """(account, infohash) -> the first probe (by id) that caught the account absent or
    unresponsive in that swarm this epoch."""
    return _first_probe(ix, outcomes, lambda o: not o.passed and o.code in PRESENCE_FAILS)


def served_in_swarms(
    ix: EpochIndex, outcomes: tuple[ProbeOutcome, ...]
) -> dict[tuple[str, str], str]:
    """(account, infohash) -> the first probe (by id) the account passed in that swarm this
    epoch (answered and served it)."""
    return _first_probe(ix, outcomes, lambda o: o.passed)


def _first_probe(
    ix: EpochIndex, outcomes: tuple[ProbeOutcome, ...], keep: Callable[[ProbeOutcome], bool]
) -> dict[tuple[str, str], str]:
    swarm_of = {p.probe_id: p.infohash for probes in ix.probes_by_swarm.values() for p in probes}
    first: dict[tuple[str, str], str] = {}
    for o in sorted(outcomes):
        if keep(o):
            first.setdefault((o.account, swarm_of[o.probe_id]), o.probe_id)
    return first


def check_caught_in_swarm(ix: EpochIndex, outcomes: tuple[ProbeOutcome, ...]) -> list[Finding]:
    """An uploader that a probe of a swarm caught this epoch (absent or unresponsive in a
    period it claimed to serve) is not believed for that swarm's claims no probe sampled
    either: its unsampled claims there this epoch are rejected."""
    caught = caught_in_swarms(ix, outcomes)
    found: list[Finding] = []
    for claim in ix.bandwidth:
        probe_id = caught.get((claim.uploader, claim.infohash))
        if probe_id is None or ix.claim_presence(claim, claim.uploader).sampled:
            continue
        ref = (f"probe:{probe_id}",)
        found.append(Finding(claim.receipt_id, ReasonCode.CAUGHT_IN_SWARM, 0, ref))
    return found


def check_unsampled(ix: EpochIndex, reputations: dict[str, Reputation]) -> list[Finding]:
    found: list[Finding] = []
    vetted_bytes: dict[WindowKey, int] = {}
    unvetted: dict[WindowKey, list[tuple[str, int]]] = {}
    weight_of: dict[str, int] = {}
    for claim in ix.bandwidth:
        if ix.claim_presence(claim, claim.uploader).sampled:
            continue
        rep = reputations.get(claim.uploader)
        weight = weight_of.get(claim.uploader)
        if weight is None:
            weight = weight_of[claim.uploader] = reputation_weight(rep)
        if weight < PPM:
            ref = (f"reputation:{claim.uploader}",)
            found.append(Finding(claim.receipt_id, ReasonCode.LOW_REPUTATION, weight, ref))
        key = (claim.downloader, claim.infohash, claim.window_start)
        if is_vetted(rep):
            vetted_bytes[key] = vetted_bytes.get(key, 0) + claim.delta_bytes
        else:
            unvetted.setdefault(key, []).append((claim.receipt_id, claim.delta_bytes))
    by_id = {c.receipt_id: c for c in ix.bandwidth}
    for key, items in sorted(unvetted.items()):
        budget = vetted_bytes.get(key, 0) * NEW_UPLOADER_RATIO_PPM // PPM
        for rid, w in sorted(water_fill(items, budget).items()):
            ref = (f"reputation:{by_id[rid].uploader}",)
            found.append(Finding(rid, ReasonCode.UNVETTED_ACCOUNT, w, ref))
    return found
