"""Which contracts the runtime runs, and how to decode their values."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.core import Context, TransitionResult
from servicelayer.runtime.codec import TypeRegistry

Transition = Callable[[Any, Any, Context], TransitionResult[Any]]


@dataclass(frozen=True)
class ContractSpec:
    name: str
    initial_state: Callable[[], Any]
    transition: Transition
    types: TypeRegistry = field(compare=False, repr=False)


def load_spec(name: str) -> ContractSpec:
    """The contract in package ``contracts.<name>`` (``initial_state`` and ``transition``)."""
    module = importlib.import_module(f"contracts.{name}")
    return ContractSpec(
        name=name,
        initial_state=module.initial_state,
        transition=module.transition,
        types=TypeRegistry("contracts.core", f"contracts.{name}"),
    )


DEFAULT_CONTRACTS = (
    "subscriptions",
    "access",
    "billing",
    "rewards",
    "catalog",
    "moderation",
    "issuance",
)
