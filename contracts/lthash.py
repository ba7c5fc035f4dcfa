"""LtHash: a homomorphic hash of a set, updated per element in constant time.

The digest of a set is the lane-wise sum (mod 2**16) of its elements' 1024-lane
vectors, each vector being 2,048 bytes of SHAKE-256 output of the element's bytes
(LtHash16 of Bellare and Micciancio, with the parameters that Lewi et al., "Securing
Update Propagation with Homomorphic Hashing" (2019), recommend for 200+ bits of
security). Adding or removing one element costs the same whatever the set's size,
and the sum does not depend on the order of the updates.

The accumulator is a Python int holding the 1024 lanes as 32-bit little-endian words
whose upper halves are always zero, so a lane-wise addition is one integer addition
and one mask, and no carry ever crosses into the next lane.
"""

from __future__ import annotations

import hashlib

LANES = 1024
_WORD = 4  # bytes per lane in the accumulator
_SIZE = LANES * _WORD
MASK = int.from_bytes(b"\xff\xff\x00\x00" * LANES, "little")  # 16 low bits of every lane
_TOP = int.from_bytes(b"\x00\x00\x01\x00" * LANES, "little")  # 2**16 in every lane
_BATCH = 2**15  # additions before a mask is due (a lane then holds < 2**31)

EMPTY = 0


def element(data: bytes) -> int:
    """The lattice vector of one set element (its bytes must encode it canonically)."""
    return int.from_bytes(hashlib.shake_256(data).digest(_SIZE), "little") & MASK


def add(acc: int, vector: int) -> int:
    return (acc + vector) & MASK


def sub(acc: int, vector: int) -> int:
    # every lane of _TOP - vector is in 1..2**16: no borrow, and no carry after adding
    return (acc + _TOP - vector) & MASK


def total(vectors: list[int]) -> int:
    """The sum of many vectors at once (building a set's digest from scratch)."""
    acc = EMPTY
    for start in range(0, len(vectors), _BATCH):
        acc = (acc + sum(vectors[start : start + _BATCH])) & MASK
    return acc


def digest(acc: int) -> str:
    """Hex SHA-256 of the lanes: the published form of a set's hash."""
    return hashlib.sha256(acc.to_bytes(_SIZE, "little")).hexdigest()
