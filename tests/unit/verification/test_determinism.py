"""The same epoch in any input order gives byte-identical verdicts."""

from __future__ import annotations

import random

from verification_factories import (
    growing_bitfield,
    make_bw,
    make_inputs,
    make_obs,
    make_probe,
    make_view,
)

from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.model import EpochInputs, Registration, ViewerPayment


def busy_epoch() -> EpochInputs:
    probe = make_probe(
        make_obs("U"),
        make_obs("A", answered=False),
        make_obs("D", served=0, bitfield=growing_bitfield(per_window=20)),
    )
    bw = [
        make_bw(
            f"r{i:03}",
            d,
            u,
            window=60 * (i % 30),
            delta=1_000_000 + 37_000 * i,
            session=f"s{i % 4}",
        )
        for i, (d, u) in enumerate(
            [("D", "U"), ("D", "A"), ("B", "C"), ("C", "B"), ("D", "X")] * 12
        )
    ]
    views = [
        make_view(f"v{i:03}", "D", window=60 * (i % 30), session=f"w{i % 5}") for i in range(40)
    ]
    regs = (Registration("B", ("e1",)), Registration("C", ("e1",)))
    pays = (ViewerPayment("D", "ih-swarm-1", 5_000_000),)
    return make_inputs(
        tuple(bw), viewing=tuple(views), probes=(probe,), registrations=regs, payments=pays
    )


def shuffled(inputs: EpochInputs, seed: int) -> EpochInputs:
    rng = random.Random(seed)

    def mix(items: tuple) -> tuple:  # type: ignore[type-arg]
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    return EpochInputs(
        inputs.epoch,
        inputs.epoch_start,
        inputs.epoch_seconds,
        mix(inputs.bandwidth),
        mix(inputs.viewing),
        mix(inputs.cdn),
        mix(inputs.probes),
        mix(inputs.registrations),
        mix(inputs.reputations),
        mix(inputs.payments),
        mix(inputs.catalog),
    )


def test_input_order_does_not_change_any_verdict() -> None:
    base = verify_epoch(busy_epoch())
    assert len({v.verdict for v in base.verdicts}) == 3  # the epoch exercises all verdicts
    for seed in range(5):
        assert verify_epoch(shuffled(busy_epoch(), seed)) == base
