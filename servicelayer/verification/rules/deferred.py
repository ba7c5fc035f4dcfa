"""Deferred claims judged again: a later epoch's reputations decide what evidence could not.

A bandwidth claim that no probe sampled and whose uploader was not vetted yet (nor seen
serving in that swarm that epoch) is ``deferred`` in its epoch E (weight held, nothing counted; see
``verdicts.compose``). Each later epoch E' = E+1 .. E+DEFERRAL_EPOCHS judges it again with
E''s updated reputations and probe outcomes, in this order:

1. a probe caught the uploader absent or unresponsive in the claim's swarm in E':
   ``rejected`` (``caught_in_swarm``);
2. the uploader's reputation weight is 0: ``rejected`` (``low_reputation``);
3. the uploader is vetted now, or a probe of the claim's swarm in E' saw it answer and
   serve there (evidence that it was seeding that swarm, as the claim says): released,
   weight = min(held weight, reputation weight), ``accepted`` or ``down_weighted``
   (``low_reputation`` when reputation cut it), counted in E''s accounting;
4. E' = E + DEFERRAL_EPOCHS: ``rejected`` (``deferred_expired``);
5. otherwise it stays deferred for the next epoch.

Each claim is resolved once: the caller passes only unresolved claims and stores each
resolution under the receipt id.
"""

from __future__ import annotations

from collections.abc import Iterable

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.model import DeferredClaim
from servicelayer.verification.reputation import Reputation, is_vetted, reputation_weight
from servicelayer.verification.tolerances import DEFERRAL_EPOCHS, PPM
from servicelayer.verification.verdicts import Resolution


def resolve_deferred(
    epoch: int,
    deferred: Iterable[DeferredClaim],
    reputations: dict[str, Reputation],
    caught: dict[tuple[str, str], str],
    served: dict[tuple[str, str], str] | None = None,
) -> tuple[Resolution, ...]:
    """The resolutions epoch ``epoch`` gives the earlier epochs' deferred claims (sorted by
    receipt id); a claim still undecided within the bound gets none."""
    out: list[Resolution] = []
    for d in sorted(deferred, key=lambda d: d.receipt_id):
        if d.deferred_epoch < epoch:
            resolution = _resolve(epoch, d, reputations.get(d.uploader), caught, served or {})
            if resolution is not None:
                out.append(resolution)
    return tuple(out)


def _resolve(
    epoch: int,
    d: DeferredClaim,
    rep: Reputation | None,
    caught: dict[tuple[str, str], str],
    served: dict[tuple[str, str], str],
) -> Resolution | None:
    def rejected(code: ReasonCode, ref: str) -> Resolution:
        return Resolution(d.receipt_id, d.deferred_epoch, Verdict.REJECTED, 0, (code,), (ref,))

    reputation_ref = f"reputation:{d.uploader}"
    probe = caught.get((d.uploader, d.infohash))
    if probe is not None:
        return rejected(ReasonCode.CAUGHT_IN_SWARM, f"probe:{probe}")
    weight = reputation_weight(rep)
    if weight == 0:
        return rejected(ReasonCode.LOW_REPUTATION, reputation_ref)
    if is_vetted(rep) or (d.uploader, d.infohash) in served:
        w = max(0, min(d.held_ppm, weight, PPM))
        verdict = Verdict.ACCEPTED if w == PPM else Verdict.DOWN_WEIGHTED
        if w == 0:
            verdict = Verdict.REJECTED
        cut = weight < PPM
        reasons = (ReasonCode.LOW_REPUTATION,) if cut else ()
        evidence: tuple[str, ...] = (reputation_ref,) if cut else ()
        if not is_vetted(rep):
            evidence += (f"probe:{served[(d.uploader, d.infohash)]}",)
        return Resolution(d.receipt_id, d.deferred_epoch, verdict, w, reasons, evidence)
    if epoch - d.deferred_epoch >= DEFERRAL_EPOCHS:
        return rejected(ReasonCode.DEFERRED_EXPIRED, reputation_ref)
    return None
