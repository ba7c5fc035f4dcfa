"""Unsampled claims: no probe saw the uploader in the claim's period or covered it (see
rules/presence.py), so reputation sets the weight.

- An uploader a probe caught in a swarm this epoch loses its other claims in that swarm.
- The uploader's probe-history weight (its failure share) applies to each claim.
- An uploader that has not passed VETTING_PASSES probes yet is believed without evidence
  only in a swarm where a probe saw it answer and serve this epoch (it was seeding there,
  as its claims say). Its other unsampled claims are ``deferred`` whole
  (``unvetted_account``, verdicts.compose) and judged again by the next epochs
  (rules/deferred.py): paid once it is vetted or seen serving there, never before. No
  claim is paid on an unknown account's word alone, so a fresh account that only signs
  (an absent uploader, a sybil farm serving itself) gets nothing.

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
from servicelayer.verification.tolerances import PPM
from servicelayer.verification.verdicts import Finding

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


def check_unsampled(
    ix: EpochIndex,
    reputations: dict[str, Reputation],
    served: dict[tuple[str, str], str],
) -> list[Finding]:
    """Reputation's findings on the claims no probe sampled: its weight, and the deferral
    of an unvetted uploader's claims in swarms it was not seen serving this epoch
    (``served``: ``served_in_swarms``)."""
    found: list[Finding] = []
    weight_of: dict[str, int] = {}
    for claim in ix.bandwidth:
        if ix.claim_presence(claim, claim.uploader).sampled:
            continue
        rep = reputations.get(claim.uploader)
        weight = weight_of.get(claim.uploader)
        if weight is None:
            weight = weight_of[claim.uploader] = reputation_weight(rep)
        ref = (f"reputation:{claim.uploader}",)
        if weight < PPM:
            found.append(Finding(claim.receipt_id, ReasonCode.LOW_REPUTATION, weight, ref))
        if not is_vetted(rep) and (claim.uploader, claim.infohash) not in served:
            found.append(Finding(claim.receipt_id, ReasonCode.UNVETTED_ACCOUNT, 0, ref))
    return found
