"""The adversarial benchmark: how much payout goes to fraud, how much honest work is lost.

``score_epoch`` compares one epoch's verdicts and payouts with the ground truth behind
each receipt; it does not care where the epoch came from, so a real run (libtorrent
sessions on loopback, probes by the probe runner) can be scored with it too: build the
``EpochInputs``, a ``Truth`` per receipt and the set of honest accounts, then call
``score_epoch``. ``run_fraud_bench`` drives the synthetic population through it.

Figures are integer parts per million; only ``FraudBenchReport.as_json`` turns them into
decimal shares for display.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import BandwidthClaim, EpochInputs
from servicelayer.verification.payable import split_payments
from servicelayer.verification.simulation import (
    SimConfig,
    Truth,
    build_population,
    simulate_epoch,
)
from servicelayer.verification.tolerances import PPM
from servicelayer.verification.verdicts import EpochVerification, ReceiptVerdict

Z95 = 1.959964
"""The two-sided 95 % normal quantile (Wilson bounds)."""


def wilson_upper(k: float, n: float, *, share: bool = False, z: float = Z95) -> float:
    """The upper end of the 95 % Wilson score interval of a proportion: ``k`` of ``n``
    (or, with ``share``, ``k`` is already the share and ``n`` an effective sample size).
    A closed formula, so no statistics library is needed for it. 1.0 when ``n`` is 0."""
    if n <= 0:
        return 1.0
    p = k if share else k / n
    p = min(1.0, max(0.0, p))
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z2 / n))


DEFERRED = "deferred"
"""The verdict of a claim whose weight is held until later evidence (by its value, so the
benchmark reads it whether or not this version of the rules gives it)."""


def kish_n(total: int, squares: int) -> float:
    """Effective sample size of a share weighted by amounts: (sum w)^2 / sum w^2."""
    return total * total / squares if squares else 0.0


@dataclass
class KindTally:
    """Integer sums for one kind of claim (bytes or seconds)."""

    honest_claimed: int = 0
    honest_weighted: int = 0
    adversary_real_claimed: int = 0
    adversary_real_weighted: int = 0
    total_claimed: int = 0
    total_weighted: int = 0
    total_paid: int = 0
    fraud_claimed: dict[str, int] = field(default_factory=dict)
    fraud_weighted: dict[str, int] = field(default_factory=dict)
    fraud_paid: dict[str, int] = field(default_factory=dict)
    receipts: dict[str, int] = field(default_factory=dict)
    honest_receipts: int = 0
    honest_rejected_receipts: int = 0
    honest_deferred_claimed: int = 0
    honest_claimed_squares: int = 0
    """Sum of the honest claims' squares: their Kish effective sample size."""
    fraud_claimed_squares: int = 0
    deferred_receipts: int = 0

    def add(
        self,
        attack: str,
        payee_honest: bool,
        claimed: int,
        real: int,
        weight: int,
        paid: int,
        deferred: bool = False,
    ) -> None:
        """One judged claim; a ``deferred`` one (weight held) is neither paid nor counted
        as rejected (its weight comes with its resolution in a later epoch)."""
        weighted = claimed * weight // PPM
        self.total_claimed += claimed
        self.total_weighted += weighted
        self.total_paid += paid
        self.deferred_receipts += deferred
        fake = max(0, claimed - real)
        if fake == 0:
            if payee_honest:
                self.honest_claimed += claimed
                self.honest_weighted += weighted
                self.honest_receipts += 1
                self.honest_claimed_squares += claimed * claimed
                if deferred:
                    self.honest_deferred_claimed += claimed - weighted
                elif weight == 0:
                    self.honest_rejected_receipts += 1
            else:
                self.adversary_real_claimed += claimed
                self.adversary_real_weighted += weighted
            return
        self.receipts[attack] = self.receipts.get(attack, 0) + 1
        self.fraud_claimed_squares += fake * fake
        self.fraud_claimed[attack] = self.fraud_claimed.get(attack, 0) + fake
        self.fraud_weighted[attack] = self.fraud_weighted.get(attack, 0) + fake * weight // PPM
        self.fraud_paid[attack] = self.fraud_paid.get(attack, 0) + paid * fake // claimed
        real_part = claimed - fake
        self.adversary_real_claimed += real_part
        self.adversary_real_weighted += real_part * weight // PPM


@dataclass
class Tally:
    bandwidth: KindTally = field(default_factory=KindTally)
    viewing: KindTally = field(default_factory=KindTally)
    receipts: int = 0
    verify_seconds_ns: int = 0
    probe_bytes: int = 0
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)
    """``verdict:reason`` -> honest receipts and units lost, fraud receipts and units
    refused (units: bytes or seconds by kind), over the claims that lost weight."""

    def reason(
        self, verdict: ReceiptVerdict, honest: bool, claimed: int, real: int, kind: str
    ) -> None:
        if verdict.weight_ppm >= PPM:
            return
        lost = claimed - claimed * verdict.weight_ppm // PPM
        fake = max(0, claimed - real)
        for code in verdict.reasons or ("(none)",):
            row = self.by_reason.setdefault(
                f"{verdict.verdict}:{code}",
                {
                    "honest_receipts": 0,
                    "honest_bytes_lost": 0,
                    "honest_seconds_lost": 0,
                    "fraud_receipts": 0,
                },
            )
            if fake == 0 and honest:
                row["honest_receipts"] += 1
                row[f"honest_{kind}_lost"] += lost
            elif fake > 0:
                row["fraud_receipts"] += 1


def score_epoch(
    tally: Tally,
    inputs: EpochInputs,
    truth: Mapping[str, Truth],
    honest: frozenset[str],
    result: EpochVerification,
    probe_bytes: int,
) -> None:
    """Add one verified epoch to the tally (receipts missing from ``truth`` count as honest)."""
    weights = result.weights()
    verdicts = result.by_id()
    deferred = {v.receipt_id for v in result.verdicts if str(v.verdict) == DEFERRED}
    claims: list[BandwidthClaim] = list(inputs.bandwidth)
    split = dict(split_payments(weights, claims, inputs.payments).by_receipt)
    for c in claims:
        t = truth.get(c.receipt_id, Truth("honest", c.delta_bytes))
        tally.bandwidth.add(
            t.attack,
            c.uploader in honest,
            c.delta_bytes,
            t.real,
            weights[c.receipt_id],
            split.get(c.receipt_id, 0),
            c.receipt_id in deferred,
        )
        tally.reason(verdicts[c.receipt_id], c.uploader in honest, c.delta_bytes, t.real, "bytes")
    for v in inputs.viewing:
        t = truth.get(v.receipt_id, Truth("honest", v.delta_seconds))
        tally.viewing.add(
            t.attack,
            v.viewer in honest,
            v.delta_seconds,
            t.real,
            weights[v.receipt_id],
            0,
            v.receipt_id in deferred,
        )
        tally.reason(verdicts[v.receipt_id], v.viewer in honest, v.delta_seconds, t.real, "seconds")
    tally.receipts += len(inputs.bandwidth) + len(inputs.viewing) + len(inputs.cdn)
    tally.probe_bytes += probe_bytes


@dataclass(frozen=True)
class AttackFigures:
    attack: str
    kind: str
    receipts: int
    fraud_units: int
    passed_ppm: int
    """Share of this attack's fake units that received weight anyway."""
    weight_share_ppm: int
    """Share of all weighted units (of this kind) that went to this attack's fake units."""
    paid_share_ppm: int
    """Share of all stroops paid that went to this attack's fake bytes (bandwidth only)."""


@dataclass(frozen=True)
class FraudBenchReport:
    peers: int
    seed: int
    epochs: int
    sampling_ppm: int
    turncoat_ppm: int
    receipts: int
    fraud_claimed_ppm: int
    """Share of all claimed bytes that are fake: what fraud would take unverified."""
    fraud_paid_ppm: int
    fraud_weight_ppm: int
    honest_rejected_ppm: int
    viewing_fraud_weight_ppm: int
    viewing_honest_rejected_ppm: int
    adversary_real_rejected_ppm: int
    fraud_passed_ppm: int
    """Fake bytes that got weight / fake bytes claimed (the real-swarm bench's
    ``fraud_paid_share``)."""
    honest_receipts: int
    honest_rejected_receipts: int
    honest_bytes_effective_n: float
    fraud_bytes_effective_n: float
    deferred_receipts: int
    probe_bytes: int
    verified_bytes: int
    verify_seconds_ns: int
    per_attack: tuple[AttackFigures, ...]
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)

    def _per_attack(self) -> dict[str, dict[str, object]]:
        """{attack: {"bandwidth": figures, "viewing": figures}} (units: bytes, seconds)."""
        out: dict[str, dict[str, object]] = {}
        for f in self.per_attack:
            out.setdefault(f.attack, {})[f.kind] = _figures(f)
        return dict(sorted(out.items()))

    @property
    def verify_per_s(self) -> int:
        return self.receipts * 1_000_000_000 // max(1, self.verify_seconds_ns)

    def as_json(self) -> dict[str, object]:
        def share(ppm: int) -> float:
            return round(ppm / PPM, 6)

        return {
            "peers": self.peers,
            "seed": self.seed,
            "epochs": self.epochs,
            "sampling_share": share(self.sampling_ppm),
            "turncoat_share": share(self.turncoat_ppm),
            "receipts": self.receipts,
            "fraud_claimed_share": share(self.fraud_claimed_ppm),
            "fraud_paid_share": share(self.fraud_paid_ppm),
            "fraud_weight_share": share(self.fraud_weight_ppm),
            "honest_rejected_share": share(self.honest_rejected_ppm),
            "honest_rejected_bytes_share": share(self.honest_rejected_ppm),
            "honest_rejected_bytes_share_upper": round(
                wilson_upper(
                    self.honest_rejected_ppm / PPM, self.honest_bytes_effective_n, share=True
                ),
                6,
            ),
            "honest_rejected_receipts_share": round(
                self.honest_rejected_receipts / max(1, self.honest_receipts), 6
            ),
            "honest_rejected_receipts_share_upper": round(
                wilson_upper(self.honest_rejected_receipts, self.honest_receipts), 6
            ),
            "fraud_paid_share_upper": round(
                wilson_upper(self.fraud_paid_ppm / PPM, self.fraud_bytes_effective_n, share=True),
                6,
            ),
            "fraud_passed_share": share(self.fraud_passed_ppm),
            "fraud_passed_share_upper": round(
                wilson_upper(self.fraud_passed_ppm / PPM, self.fraud_bytes_effective_n, share=True),
                6,
            ),
            "deferred_share": round(self.deferred_receipts / max(1, self.receipts), 6),
            "viewing_fraud_weight_share": share(self.viewing_fraud_weight_ppm),
            "viewing_honest_rejected_share": share(self.viewing_honest_rejected_ppm),
            "adversary_real_rejected_share": share(self.adversary_real_rejected_ppm),
            "probe_bytes": self.probe_bytes,
            "verified_bytes": self.verified_bytes,
            "probe_bytes_per_verified_byte": round(
                self.probe_bytes / max(1, self.verified_bytes), 6
            ),
            "verify_per_s": self.verify_per_s,
            "per_attack": self._per_attack(),
            "by_reason": dict(sorted(self.by_reason.items())),
        }


def _figures(f: AttackFigures) -> dict[str, object]:
    return {
        "receipts": f.receipts,
        "fraud_units": f.fraud_units,
        "passed_share": round(f.passed_ppm / PPM, 6),
        "weight_share": round(f.weight_share_ppm / PPM, 6),
        "paid_share": round(f.paid_share_ppm / PPM, 6),
    }


def _ratio(part: int, whole: int) -> int:
    return part * PPM // whole if whole > 0 else 0


def _attacks(kind: str, t: KindTally) -> list[AttackFigures]:
    return [
        AttackFigures(
            attack,
            kind,
            t.receipts[attack],
            t.fraud_claimed[attack],
            _ratio(t.fraud_weighted[attack], t.fraud_claimed[attack]),
            _ratio(t.fraud_weighted[attack], t.total_weighted),
            _ratio(t.fraud_paid[attack], t.total_paid),
        )
        for attack in sorted(t.fraud_claimed)
    ]


def report(config: SimConfig, tally: Tally) -> FraudBenchReport:
    bw, view = tally.bandwidth, tally.viewing
    return FraudBenchReport(
        peers=config.peers,
        seed=config.seed,
        epochs=config.epochs,
        sampling_ppm=config.sampling_ppm,
        turncoat_ppm=config.turncoat_ppm,
        receipts=tally.receipts,
        fraud_claimed_ppm=_ratio(sum(bw.fraud_claimed.values()), bw.total_claimed),
        fraud_paid_ppm=_ratio(sum(bw.fraud_paid.values()), bw.total_paid),
        fraud_weight_ppm=_ratio(sum(bw.fraud_weighted.values()), bw.total_weighted),
        honest_rejected_ppm=_ratio(
            bw.honest_claimed - bw.honest_weighted - bw.honest_deferred_claimed, bw.honest_claimed
        ),
        viewing_fraud_weight_ppm=_ratio(sum(view.fraud_weighted.values()), view.total_weighted),
        viewing_honest_rejected_ppm=_ratio(
            view.honest_claimed - view.honest_weighted - view.honest_deferred_claimed,
            view.honest_claimed,
        ),
        fraud_passed_ppm=_ratio(sum(bw.fraud_weighted.values()), sum(bw.fraud_claimed.values())),
        adversary_real_rejected_ppm=_ratio(
            bw.adversary_real_claimed - bw.adversary_real_weighted, bw.adversary_real_claimed
        ),
        honest_receipts=bw.honest_receipts + view.honest_receipts,
        honest_rejected_receipts=bw.honest_rejected_receipts + view.honest_rejected_receipts,
        honest_bytes_effective_n=kish_n(bw.honest_claimed, bw.honest_claimed_squares),
        fraud_bytes_effective_n=kish_n(sum(bw.fraud_claimed.values()), bw.fraud_claimed_squares),
        deferred_receipts=bw.deferred_receipts + view.deferred_receipts,
        probe_bytes=tally.probe_bytes,
        verified_bytes=bw.total_weighted,
        verify_seconds_ns=tally.verify_seconds_ns,
        per_attack=tuple(_attacks("bandwidth", bw) + _attacks("viewing", view)),
        by_reason=tally.by_reason,
    )


def run_fraud_bench(
    config: SimConfig, clock: Callable[[], int] = time.perf_counter_ns
) -> FraudBenchReport:
    """Simulate ``config.epochs`` epochs, verify each (timed), carry reputations forward."""
    population = build_population(config)
    reputations = population.reputations
    tally = Tally()
    for epoch in range(config.epochs):
        sim = simulate_epoch(population, epoch, reputations)
        started = clock()
        result = verify_epoch(sim.inputs)
        tally.verify_seconds_ns += clock() - started
        reputations = result.reputations
        score_epoch(tally, sim.inputs, sim.truth, sim.honest, result, sim.probe_bytes)
    return report(config, tally)
