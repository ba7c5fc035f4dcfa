"""Canonical bytes and hashes of contract values, identical on every validator.

Supports None, bool, int, str, bytes, tuples/lists, dicts with sortable keys, and
dataclasses (encoded with their type name and fields in declaration order). Floats
and sets are refused: the first is not exact, the second has no canonical order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any


def to_plain(value: Any) -> Any:
    """Turn a contract value into JSON-able data with a fixed order."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, float):
        raise TypeError("floats are not allowed in contract values")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$type": type(value).__name__, **fields}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: _sort_key(kv[0]))
        return {"$map": [[to_plain(k), to_plain(v)] for k, v in items]}
    raise TypeError(f"cannot encode {type(value).__name__} canonically")


def _sort_key(key: Any) -> tuple[int, Any]:
    if isinstance(key, int) and not isinstance(key, bool):
        return (0, key)
    if isinstance(key, str):
        return (1, key)
    if isinstance(key, bytes):
        return (2, key)
    if isinstance(key, tuple):
        return (3, tuple(_sort_key(k) for k in key))
    if dataclasses.is_dataclass(key):
        return (4, canonical_bytes(key))
    raise TypeError(f"unsupported map key {type(key).__name__}")


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(to_plain(value), separators=(",", ":"), ensure_ascii=False).encode()


def state_hash(value: Any) -> str:
    """Hex SHA-256 of the canonical bytes: the journal's state hash."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
