"""Genesis DAO parameters: a test network may start with short votes; nonsense is refused."""

from __future__ import annotations

import pytest

from servicelayer.config import NodeSettings
from servicelayer.errors import ConfigError
from servicelayer.runtime.contracts import default_specs


def moderation_params(dao_params: dict[str, int]) -> dict[str, int]:
    spec = next(s for s in default_specs(dao_params) if s.name == "moderation")
    params: dict[str, int] = spec.initial_state().params
    return params


def test_genesis_parameters_replace_the_defaults() -> None:
    params = moderation_params({"gov.voting_period_s": 120, "gov.freeze_s": 30})
    assert (params["gov.voting_period_s"], params["gov.freeze_s"]) == (120, 30)
    assert params["gov.timelock_s"] == moderation_params({})["gov.timelock_s"]


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"gov.voting_period": 120}, "unknown or out of bounds"),
        ({"gov.voting_period_s": 5}, "unknown or out of bounds"),
        ({"gov.voting_period_s": 120}, "freeze_not_shorter_than_voting"),  # freeze 3600
        ({"reward.bandwidth_bps": 9000}, "reward_split_exceeds_total"),
    ],
)
def test_bad_genesis_parameters_are_a_configuration_error(params: dict[str, int], why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        default_specs(params)


def test_the_config_carries_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACENODE_GENESIS__DAO_PARAMS", '{"gov.voting_period_s": 600}')
    assert NodeSettings().genesis.dao_params == {"gov.voting_period_s": 600}
