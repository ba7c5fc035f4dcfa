"""Which swarms an epoch probes, and which pieces a probe downloads: pure and deterministic.

Peers must not be able to predict the sample, yet every validator must recompute it. So the
ranking is SHA-256 over a domain tag, a 32-byte seed the caller passes (e.g. the previous
epoch's anchored Merkle root, which no peer controls), the epoch number and the item; the
smallest hashes win. Integer math only; input order does not matter.

    score(h) = SHA-256(b"ACE-PROBE-SAMPLE-V1\\x00" || seed || u64be(epoch) || infohash(20 bytes))
    count    = min(n, max(minimum, ceil(n * rate_ppm / 1_000_000)))
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from servicelayer.errors import InvalidInput

SAMPLE_TAG = b"ACE-PROBE-SAMPLE-V1\x00"
PIECE_TAG = b"ACE-PROBE-PIECES-V1\x00"
PPM = 1_000_000
_U64 = 1 << 64


def _infohash_bytes(value: str) -> bytes:
    if not isinstance(value, str) or len(value) != 40:
        raise InvalidInput(f"bad infohash {value!r}", code="bad_infohash")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidInput(f"bad infohash {value!r}", code="bad_infohash") from None


def _check_seed(seed: bytes) -> None:
    if not isinstance(seed, bytes) or len(seed) != 32:
        raise InvalidInput("seed must be 32 bytes", code="bad_seed")


def sample_count(n: int, rate_ppm: int, minimum: int) -> int:
    """How many of ``n`` swarms to probe."""
    wanted = (n * rate_ppm + PPM - 1) // PPM
    return min(n, max(minimum, wanted))


def sample_score(seed: bytes, epoch: int, infohash: str) -> bytes:
    _check_seed(seed)
    raw = _infohash_bytes(infohash)
    return hashlib.sha256(SAMPLE_TAG + seed + epoch.to_bytes(8, "big") + raw).digest()


def sample_swarms(
    infohashes: Iterable[str], seed: bytes, epoch: int, rate_ppm: int, minimum: int
) -> list[str]:
    """The infohashes (lowercase hex) to probe in ``epoch``, lowest score first."""
    _check_seed(seed)
    for name, value, top in (("epoch", epoch, _U64), ("rate_ppm", rate_ppm, PPM + 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < top:
            raise InvalidInput(f"{name} out of range: {value!r}", code="bad_sample_parameter")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise InvalidInput(f"minimum out of range: {minimum!r}", code="bad_sample_parameter")
    unique = sorted({h.lower() for h in infohashes if _infohash_bytes(h)})
    ranked = sorted(unique, key=lambda h: (sample_score(seed, epoch, h), h))
    return ranked[: sample_count(len(unique), rate_ppm, minimum)]


def choose_pieces(
    available: Sequence[bool],
    have: Sequence[bool],
    piece_size: int,
    budget_bytes: int,
    seed: bytes,
) -> tuple[int, ...]:
    """Pieces a probe downloads: ones a peer has and the probe lacks, ranked by
    SHA-256(PIECE_TAG || seed || u32be(index)), as many whole pieces as the budget allows.
    Returned in ascending index order."""
    if piece_size <= 0 or budget_bytes < piece_size:
        return ()
    wanted = [i for i, has in enumerate(available) if has and not (i < len(have) and have[i])]
    ranked = sorted(
        wanted, key=lambda i: hashlib.sha256(PIECE_TAG + seed + i.to_bytes(4, "big")).digest()
    )
    return tuple(sorted(ranked[: budget_bytes // piece_size]))
