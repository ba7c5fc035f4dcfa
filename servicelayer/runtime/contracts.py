"""Which contracts the runtime runs, and how to decode their values."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.core import Asset, Context, TransitionResult
from servicelayer.errors import ConfigError
from servicelayer.probe_settings import GenesisSettings, GenesisToken
from servicelayer.runtime.codec import TypeRegistry

Transition = Callable[[Any, Any, Context], TransitionResult[Any]]


@dataclass(frozen=True)
class ContractSpec:
    name: str
    initial_state: Callable[[], Any]
    transition: Transition
    types: TypeRegistry = field(compare=False, repr=False)


def load_spec(name: str, **genesis: Any) -> ContractSpec:
    """The contract in package ``contracts.<name>`` (``initial_state`` and ``transition``);
    ``genesis`` are its ``initial_state`` arguments (checked here, so a bad one is a
    configuration error at start)."""
    module = importlib.import_module(f"contracts.{name}")
    try:
        module.initial_state(**genesis)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"genesis of the {name} contract: {exc}") from None
    return ContractSpec(
        name=name,
        initial_state=functools.partial(module.initial_state, **genesis),
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


def default_specs(
    dao_params: Mapping[str, int] | None = None, governance: GenesisToken | None = None
) -> list[ContractSpec]:
    """Every contract the node runs; ``dao_params`` are the DAO parameters at genesis
    (``[genesis] dao_params`` in the config) and ``governance`` the governance token issued
    before it (``[genesis] governance``), identical on every validator."""
    genesis: dict[str, dict[str, Any]] = {}
    if dao_params:
        genesis["moderation"] = {"params": dict(dao_params)}
    if governance is not None:
        genesis["issuance"] = {
            "governance": Asset(governance.code, governance.issuer),
            "distribution": governance.distribution,
            "cap": governance.cap,
            "issued": governance.issued,
        }
    return [load_spec(name, **genesis.get(name, {})) for name in DEFAULT_CONTRACTS]


def genesis_specs(genesis: GenesisSettings) -> list[ContractSpec]:
    """The contracts of a node configured with ``genesis`` (``[genesis]``)."""
    return default_specs(genesis.dao_params, genesis.governance)
