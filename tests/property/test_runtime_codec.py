"""Every value of every contract survives the journal's encoding unchanged."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.core import TransitionResult
from servicelayer.runtime.codec import dumps
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec

REGISTRIES = {name: load_spec(name).types for name in DEFAULT_CONTRACTS}
CASES = [
    pytest.param(name, cls, id=f"{name}.{type_name}")
    for name, registry in REGISTRIES.items()
    for type_name, cls in sorted(registry.types.items())
    # TransitionResult is generic over the state and only ever returned, never journaled
    if dataclasses.is_dataclass(cls) and cls is not TransitionResult
]


@pytest.mark.parametrize(("contract", "cls"), CASES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip(contract: str, cls: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(cls))
    assert REGISTRIES[contract].loads(dumps(value)) == value
