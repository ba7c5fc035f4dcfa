"""Merkle trees over an epoch's accounting, with inclusion proofs (RFC 6962 shape).

    leaf hash = SHA-256(0x00 || leaf bytes)
    node hash = SHA-256(0x01 || left || right)

A tree of n leaves splits at the largest power of two below n, so every tree size has
one shape and proofs are at most ceil(log2 n) hashes. The 0x00/0x01 prefixes keep a
leaf from ever passing for an inner node. Leaves are sorted by their hash before the
tree is built, so the root depends only on the set of leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root(hashes[:k]), _root(hashes[k:]))


def _path(hashes: Sequence[bytes], index: int) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(hashes[:k], index), _root(hashes[k:])]
    return [*_path(hashes[k:], index - k), _root(hashes[:k])]


@dataclass(frozen=True)
class Proof:
    """That the leaf with ``leaf_hash`` is leaf ``index`` of a tree of ``size`` leaves."""

    leaf_hash: bytes
    index: int
    size: int
    path: tuple[bytes, ...]


class MerkleTree:
    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.hashes = sorted(leaf_hash(leaf) for leaf in leaves)
        self._position = {h: i for i, h in enumerate(self.hashes)}

    @property
    def root(self) -> bytes:
        return _root(self.hashes) if self.hashes else EMPTY_ROOT

    def prove(self, leaf: bytes) -> Proof | None:
        h = leaf_hash(leaf)
        index = self._position.get(h)
        if index is None:
            return None
        return Proof(h, index, len(self.hashes), tuple(_path(self.hashes, index)))


def root_from_proof(proof: Proof) -> bytes | None:
    """The root a proof leads to, or None when the proof is malformed."""
    if not 0 <= proof.index < proof.size:
        return None
    path = list(proof.path)
    computed = _climb(proof.leaf_hash, proof.index, proof.size, path)
    return computed if computed is not None and not path else None


def _climb(h: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """Recompute the root bottom-up, consuming ``path`` from its first (lowest) hash."""
    if size == 1:
        return h
    k = _split(size)
    if index < k:
        sub = _climb(h, index, k, path)
        return None if sub is None or not path else node_hash(sub, path.pop(0))
    sub = _climb(h, index - k, size - k, path)
    return None if sub is None or not path else node_hash(path.pop(0), sub)


def verify(proof: Proof, root: bytes) -> bool:
    return root_from_proof(proof) == root
