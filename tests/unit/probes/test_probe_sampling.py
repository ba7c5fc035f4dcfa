"""Which swarms an epoch probes and which pieces a probe fetches: deterministic, fair,
and driven by the seed (which peers do not control)."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from servicelayer.errors import InvalidInput
from servicelayer.probes.sampling import choose_pieces, sample_count, sample_swarms

SEED = bytes(range(32))
SWARMS = [hashlib.sha1(i.to_bytes(4, "big")).hexdigest() for i in range(50)]


def reference_sample(infohashes: list[str], seed: bytes, epoch: int, count: int) -> list[str]:
    """The ranking as docs describe it, written out independently."""

    def score(h: str) -> bytes:
        tag = b"ACE-PROBE-SAMPLE-V1\x00"
        return hashlib.sha256(tag + seed + epoch.to_bytes(8, "big") + bytes.fromhex(h)).digest()

    return sorted(sorted(set(infohashes)), key=lambda h: (score(h), h))[:count]


def test_sample_matches_the_published_ranking() -> None:
    got = sample_swarms(SWARMS, SEED, 7, 100_000, 1)
    assert got == reference_sample(SWARMS, SEED, 7, 5)


def test_sample_ignores_input_order_duplicates_and_case() -> None:
    shuffled = list(reversed(SWARMS)) + [h.upper() for h in SWARMS[:10]]
    assert sample_swarms(shuffled, SEED, 3, 200_000, 0) == sample_swarms(
        SWARMS, SEED, 3, 200_000, 0
    )


def test_sample_changes_with_seed_and_epoch() -> None:
    base = sample_swarms(SWARMS, SEED, 1, 100_000, 0)
    assert sample_swarms(SWARMS, bytes(32), 1, 100_000, 0) != base
    assert sample_swarms(SWARMS, SEED, 2, 100_000, 0) != base


def test_each_swarm_is_probed_about_as_often_as_the_rate_says() -> None:
    picks: Counter[str] = Counter()
    for epoch in range(400):
        seed = hashlib.sha256(b"anchored root" + epoch.to_bytes(8, "big")).digest()
        picks.update(sample_swarms(SWARMS, seed, epoch, 100_000, 0))
    assert set(picks) == set(SWARMS)  # nobody is never probed
    assert max(picks.values()) < 80 and min(picks.values()) > 15  # expected 40 each


@pytest.mark.parametrize(
    "n, rate_ppm, minimum, expected",
    [
        (0, 500_000, 3, 0),
        (10, 0, 0, 0),
        (10, 0, 2, 2),
        (10, 1, 0, 1),
        (10, 250_000, 0, 3),
        (10, 1_000_000, 0, 10),
        (10, 100_000, 20, 10),
    ],
)
def test_sample_count(n: int, rate_ppm: int, minimum: int, expected: int) -> None:
    assert sample_count(n, rate_ppm, minimum) == expected
    assert len(sample_swarms(SWARMS[:n], SEED, 0, rate_ppm, minimum)) == expected


@pytest.mark.parametrize(
    "args",
    [
        (SWARMS, bytes(31), 0, 1, 0),
        (SWARMS, SEED, -1, 1, 0),
        (SWARMS, SEED, 2**64, 1, 0),
        (SWARMS, SEED, 0, 1_000_001, 0),
        (SWARMS, SEED, 0, 1, -1),
        (["xyz"], SEED, 0, 1, 0),
        (SWARMS, "seed" * 8, 0, 1, 0),
    ],
)
def test_bad_parameters_are_refused(args: tuple[object, ...]) -> None:
    with pytest.raises(InvalidInput):
        sample_swarms(*args)  # type: ignore[arg-type]


def test_choose_pieces_respects_budget_availability_and_what_we_have() -> None:
    available = [i % 3 != 0 for i in range(30)]
    have = [i < 5 for i in range(30)]
    chosen = choose_pieces(available, have, 16384, 5 * 16384 + 100, b"s")
    assert len(chosen) == 5 and list(chosen) == sorted(chosen)
    assert all(available[i] and not have[i] for i in chosen)
    assert choose_pieces(available, have, 16384, 5 * 16384, b"s") == chosen
    assert choose_pieces(available, have, 16384, 5 * 16384, b"t") != chosen
    assert choose_pieces(available, have, 16384, 16383, b"s") == ()
    assert choose_pieces([False] * 8, [False] * 8, 16384, 10**9, b"s") == ()
