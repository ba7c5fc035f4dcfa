"""Decoding contract values from their canonical form (the inverse of contracts.canonical).

``contracts.canonical.to_plain`` writes dataclasses as ``{"$type": Name, field: ...}``,
bytes as ``{"$bytes": hex}`` and maps as ``{"$map": [[k, v], ...]}`` (a field typed
``PMap[K, V]`` decodes to a ``PMap``, any other to a dict). Decoding needs
the types: a ``TypeRegistry`` collects every dataclass and enum a contract package
defines, and the dataclasses' own annotations give the type of each field.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import importlib
import json
import pkgutil
import types
import typing
from typing import Any

from contracts.canonical import canonical_bytes
from contracts.pmap import PMap


class DecodeError(ValueError):
    """Stored bytes do not decode to a contract value (a corrupt or foreign journal)."""


class TypeRegistry:
    """Name -> class for the dataclasses and enums one contract uses.

    That is every such class its package's modules define or import, and every class
    their fields refer to. Two different classes under one name would make the journal
    ambiguous, so that is refused.
    """

    def __init__(self, *packages: str) -> None:
        self.types: dict[str, type] = {}
        for package in packages:
            for module in _walk(package):
                for value in vars(module).values():
                    if isinstance(value, type):
                        self._add(value)

    def _add(self, cls: type) -> None:
        if not (dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum)):
            return
        known = self.types.get(cls.__name__)
        if known is cls:
            return
        if known is not None:
            raise TypeError(f"two contract types named {cls.__name__}")
        self.types[cls.__name__] = cls
        if dataclasses.is_dataclass(cls):
            for hint in typing.get_type_hints(cls).values():
                for referenced in _classes_in(hint):
                    self._add(referenced)

    def decode(self, plain: Any, hint: Any = Any) -> Any:
        return _decode(self, plain, hint)

    def loads(self, data: bytes, hint: Any = Any) -> Any:
        try:
            return self.decode(json.loads(data), hint)
        except (KeyError, TypeError, ValueError) as exc:
            raise DecodeError(f"cannot decode a contract value: {exc}") from exc


def dumps(value: Any) -> bytes:
    return canonical_bytes(value)


def _classes_in(hint: Any) -> list[type]:
    if isinstance(hint, type):
        return [hint]
    return [c for arg in typing.get_args(hint) for c in _classes_in(arg)]


def _walk(package: str) -> list[types.ModuleType]:
    root = importlib.import_module(package)
    modules = [root]
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        modules.append(importlib.import_module(info.name))
    return modules


def _decode(reg: TypeRegistry, plain: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(reg, plain, typing.get_args(hint))
    if isinstance(plain, dict):
        return _decode_object(reg, plain, hint)
    if isinstance(plain, list):
        args = typing.get_args(hint)
        if origin is list:
            return [_decode(reg, v, args[0] if args else Any) for v in plain]
        item_hints = _tuple_item_hints(args, len(plain))
        return tuple(_decode(reg, v, h) for v, h in zip(plain, item_hints, strict=True))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(plain)
    return plain


def _decode_union(reg: TypeRegistry, plain: Any, members: tuple[Any, ...]) -> Any:
    if plain is None:
        return None
    concrete = [m for m in members if m is not type(None)]
    if isinstance(plain, dict) or len(concrete) != 1:
        return _decode(reg, plain, Any)
    return _decode(reg, plain, concrete[0])


def _decode_object(reg: TypeRegistry, plain: dict[str, Any], hint: Any) -> Any:
    if "$bytes" in plain:
        return bytes.fromhex(plain["$bytes"])
    if "$map" in plain:
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        entries = {
            _hashable(_decode(reg, k, key_hint)): _decode(reg, v, value_hint)
            for k, v in plain["$map"]
        }
        return PMap(entries) if typing.get_origin(hint) is PMap else entries
    cls = reg.types[plain["$type"]]
    fields = {
        name: _decode(reg, plain[name], hint)
        for name, hint in _init_fields(cls)
        if name in plain  # a field added later takes its default
    }
    return cls(**fields)


@functools.cache
def _init_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, type hint) of each ``__init__`` field of a dataclass (resolved once)."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints.get(f.name, Any)) for f in dataclasses.fields(cls) if f.init)


def _tuple_item_hints(args: tuple[Any, ...], length: int) -> list[Any]:
    if len(args) == 2 and args[1] is Ellipsis:
        return [args[0]] * length
    if len(args) == length:
        return list(args)
    return [Any] * length


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value
