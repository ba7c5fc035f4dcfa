"""Canonical bytes and hashes of contract values, identical on every validator.

Supports None, bool, int, str, bytes, tuples/lists, dicts and ``PMap``s with sortable
keys, and dataclasses (encoded with their type name and fields in declaration order).
Floats and sets are refused: the first is not exact, the second has no canonical order.

Two encodings share these rules. ``canonical_bytes`` writes every value in full (the
journal's actions and events, snapshots). ``state_hash`` hashes the *summary* form, in
which a ``DigestedMap`` (``contracts.pmap.PMap``) stands as its own digest, kept up to
date entry by entry, instead of its entries: hashing a state then costs time in the
size of its small fields only, however many entries its maps hold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# the version of the state-hash definition; journals written by an earlier one are
# refused until ``acenode db rehash`` recomputes their hashes (docs/accounting.md)
STATE_HASH_VERSION = 2


class DigestedMap(Mapping[K, V]):
    """A mapping that maintains the digest of its entries as it changes."""

    __slots__ = ()

    @property
    @abstractmethod
    def digest(self) -> str:
        """Hex digest of the set of ``[key, value]`` entries (their summary bytes)."""


def to_plain(value: Any, summary: bool = False) -> Any:
    """Turn a contract value into JSON-able data with a fixed order.

    With ``summary`` a ``DigestedMap`` becomes ``{"$digest": hex}``.
    """
    cls = type(value)
    if cls in _AS_IS:
        return value
    names = _FIELDS.get(cls)
    if names is not None:  # a dataclass seen before
        plain = {"$type": cls.__name__}
        later = _ADDED_LATER.get(cls, {})
        for name in names:
            item = getattr(value, name)
            if name in later and item == later[name]:
                continue  # a field added later, at its default: encoded as before it existed
            plain[name] = to_plain(item, summary)
        return plain
    if cls is tuple or cls is list:
        return [to_plain(v, summary) for v in value]
    return _to_plain_other(value, summary)


_FIELDS: dict[type, tuple[str, ...]] = {}  # dataclass -> field names in declaration order
_ADDED_LATER: dict[type, dict[str, Any]] = {}  # dataclass -> {field: default} (ADDED_LATER)

ADDED_LATER = {"canonical": "added_later"}
"""``field(metadata=ADDED_LATER)``: a field added to a contract state after journals were
written. While it holds its default it is left out of the encoding, so the state hashes
of those journals still verify; once it holds something else it is encoded as usual."""
_AS_IS: set[type] = {str, int, bool, type(None)}  # and the str and int enums seen since


def _to_plain_other(value: Any, summary: bool) -> Any:
    if isinstance(value, str | int):  # bool, enums of str or int: JSON writes their value
        _AS_IS.add(type(value))
        return value
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, float):
        raise TypeError("floats are not allowed in contract values")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        _ADDED_LATER[type(value)] = {
            f.name: _default(f) for f in fields if f.metadata.get("canonical") == "added_later"
        }
        _FIELDS[type(value)] = tuple(f.name for f in fields)
        return to_plain(value, summary)
    if isinstance(value, tuple | list):
        return [to_plain(v, summary) for v in value]
    if summary and isinstance(value, DigestedMap):
        return {"$digest": value.digest}
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: sort_key(kv[0]))
        return {"$map": [[to_plain(k, summary), to_plain(v, summary)] for k, v in items]}
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    if f.default is dataclasses.MISSING:
        raise TypeError(f"field {f.name} is marked added later but has no default")
    return f.default


def sort_key(key: Any) -> tuple[int, Any]:
    """The canonical order of map keys."""
    if isinstance(key, int) and not isinstance(key, bool):
        return (0, key)
    if isinstance(key, str):
        return (1, key)
    if isinstance(key, bytes):
        return (2, key)
    if isinstance(key, tuple):
        return (3, tuple(sort_key(k) for k in key))
    if dataclasses.is_dataclass(key):
        return (4, canonical_bytes(key))
    raise TypeError(f"unsupported map key {type(key).__name__}")


def _dumps(plain: Any) -> bytes:
    return json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_bytes(value: Any) -> bytes:
    return _dumps(to_plain(value))


def summary_bytes(value: Any) -> bytes:
    """The canonical bytes of ``value`` with every ``DigestedMap`` as its digest."""
    return _dumps(to_plain(value, summary=True))


def state_hash(value: Any) -> str:
    """Hex SHA-256 of the summary bytes: the journal's state hash.

    Equal states have equal hashes: a map's digest is a function of its entries only.
    """
    return hashlib.sha256(summary_bytes(value)).hexdigest()


def full_state_hash(value: Any) -> str:
    """Hex SHA-256 of the full canonical bytes: the state hash of version 1 journals."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
