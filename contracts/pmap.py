"""PMap: an immutable mapping whose updates and digest cost the same at any size.

A contract's state is a frozen value: a transition returns a new state and leaves the
old one intact. With a plain dict that means copying every entry on each action
(``{**state.items, key: item}``), and hashing the new state means encoding every entry
again. A ``PMap`` is persistent instead: ``m.set(key, value)`` returns a new map that
shares all but one path of a hash trie with ``m`` (a hash array mapped trie, 32 ways per
level, small dict leaves), and it carries an LtHash of its entries (``contracts.lthash``)
that the update adjusts by the one entry that changed.

What a contract can observe is deterministic: lookups, ``len``, equality (with any
mapping, dicts included), iteration in the canonical key order (``sort_key``, the
order of the canonical encoding) and the digest, a function of the entries alone. The
trie's layout uses Python's ``hash`` like a dict does and is never observed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias, TypeVar, cast

from contracts import lthash
from contracts.canonical import DigestedMap, sort_key, summary_bytes

K = TypeVar("K")
V = TypeVar("V")

_BITS = 5
_WAYS = 1 << _BITS
_LEAF = 16  # entries a leaf holds before it becomes a branch
_MAX_SHIFT = 60  # past the 64 bits of a hash, a leaf holds every colliding key
_HASH_MASK = (1 << 64) - 1
_TAG = b"ace/pmap/v1\n"

# a node is a leaf (dict) or a branch (a tuple of _WAYS nodes or None)
_Node: TypeAlias = "dict[Any, Any] | tuple[_Node | None, ...]"
_MISSING: Any = object()
_EMPTY_BRANCH: tuple[None, ...] = (None,) * _WAYS


def entry_vector(key: object, value: object) -> int:
    """The LtHash vector of one entry: its summary bytes ``[key, value]``, tagged."""
    return lthash.element(_TAG + summary_bytes((key, value)))


def _hash(key: object) -> int:
    return hash(key) & _HASH_MASK


class PMap(DigestedMap[K, V]):
    """Persistent mapping with an incremental digest (see the module docstring)."""

    __slots__ = ("_acc", "_digest", "_len", "_order", "_root")

    def __init__(self, entries: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        pairs = dict(entries)
        self._root: _Node = _build(list(pairs.items()), 0)
        self._len = len(pairs)
        self._acc = lthash.total([entry_vector(k, v) for k, v in pairs.items()])
        self._digest: str | None = None
        self._order: tuple[K, ...] | None = None

    @classmethod
    def _make(cls, root: _Node, length: int, acc: int) -> PMap[K, V]:
        new: PMap[K, V] = cls.__new__(cls)
        new._root, new._len, new._acc = root, length, acc
        new._digest, new._order = None, None
        return new

    # reading

    def __getitem__(self, key: K) -> V:
        value = _lookup(self._root, key, _hash(key))
        if value is _MISSING:
            raise KeyError(key)
        return cast(V, value)

    def get(self, key: K, default: Any = None) -> Any:
        value = _lookup(self._root, key, _hash(key))
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        try:
            return _lookup(self._root, key, _hash(key)) is not _MISSING
        except TypeError:  # unhashable: never a key
            return False

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        """Keys in the canonical order (sorted once per map, then cached)."""
        if self._order is None:
            self._order = tuple(sorted((k for k, _ in _walk(self._root)), key=sort_key))
        return iter(self._order)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, PMap):
            return self._len == other._len and self.digest == other.digest and _same(self, other)
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # a mapping is not hashable

    def __repr__(self) -> str:
        return f"PMap({dict(self.items())!r})"

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = lthash.digest(self._acc)
        return self._digest

    # writing (each returns a new map)

    def set(self, key: K, value: V) -> PMap[K, V]:
        h = _hash(key)
        old = _lookup(self._root, key, h)
        if old is not _MISSING and old is value:
            return self
        acc = self._acc if old is _MISSING else lthash.sub(self._acc, entry_vector(key, old))
        acc = lthash.add(acc, entry_vector(key, value))
        length = self._len + (old is _MISSING)
        return self._make(_assoc(self._root, key, value, h, 0), length, acc)

    def remove(self, key: K) -> PMap[K, V]:
        """Without ``key`` (the same map when it is absent)."""
        h = _hash(key)
        old = _lookup(self._root, key, h)
        if old is _MISSING:
            return self
        acc = lthash.sub(self._acc, entry_vector(key, old))
        return self._make(_dissoc(self._root, key, h, 0), self._len - 1, acc)

    def update(self, entries: Mapping[K, V] | Iterable[tuple[K, V]]) -> PMap[K, V]:
        """With every entry of ``entries`` set, in their order."""
        new = self
        for key, value in dict(entries).items():
            new = new.set(key, value)
        return new


def _same(a: PMap[Any, Any], b: PMap[Any, Any]) -> bool:
    return all(b.get(key, _MISSING) == value for key, value in _walk(a._root))


def _build(pairs: list[tuple[Any, Any]], shift: int) -> _Node:
    if len(pairs) <= _LEAF or shift >= _MAX_SHIFT:
        return dict(pairs)
    return _branch(pairs, shift)


def _branch(pairs: list[tuple[Any, Any]], shift: int) -> tuple[_Node | None, ...]:
    buckets: list[list[tuple[Any, Any]]] = [[] for _ in range(_WAYS)]
    for key, value in pairs:
        buckets[(_hash(key) >> shift) & (_WAYS - 1)].append((key, value))
    return tuple(_build(b, shift + _BITS) if b else None for b in buckets)


def _lookup(node: _Node | None, key: object, h: int) -> Any:
    shift = 0
    while type(node) is tuple:
        node = node[(h >> shift) & (_WAYS - 1)]
        shift += _BITS
    if node is None:
        return _MISSING
    return cast(dict[Any, Any], node).get(key, _MISSING)


def _assoc(node: _Node | None, key: object, value: object, h: int, shift: int) -> _Node:
    if node is None:
        return {key: value}
    if isinstance(node, dict):
        if key in node or len(node) < _LEAF or shift >= _MAX_SHIFT:
            leaf = dict(node)
            leaf[key] = value
            return leaf
        node = _branch(list(node.items()), shift)  # the leaf is full: split it
    i = (h >> shift) & (_WAYS - 1)
    child = _assoc(node[i], key, value, h, shift + _BITS)
    return (*node[:i], child, *node[i + 1 :])


def _dissoc(node: _Node | None, key: object, h: int, shift: int) -> _Node:
    if isinstance(node, dict):
        leaf = dict(node)
        del leaf[key]
        return leaf
    assert node is not None  # _lookup found the key under this node
    i = (h >> shift) & (_WAYS - 1)
    child: _Node | None = _dissoc(node[i], key, h, shift + _BITS)
    if child == {}:
        child = None
    branch = (*node[:i], child, *node[i + 1 :])
    return {} if branch == _EMPTY_BRANCH else branch


def _walk(node: _Node | None) -> Iterator[tuple[Any, Any]]:
    if node is None:
        return
    if isinstance(node, dict):
        yield from node.items()
        return
    for child in node:
        yield from _walk(child)
