"""The ``[stellar]`` settings: validated at load, from TOML or ACENODE_STELLAR__* variables."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from node.config_template import render_config
from servicelayer.config import load_settings
from servicelayer.errors import ConfigError
from servicelayer.stellar_settings import DEFAULT_HORIZON_URL, StellarSettings

V = [Keypair.random().public_key for _ in range(3)]


def _toml(tmp_path: Path, body: str) -> Path:
    (tmp_path / "acenode.toml").write_text(body)
    return tmp_path


def test_defaults_are_one_of_one_on_the_embedded_ledger(tmp_path: Path) -> None:
    stellar = load_settings(tmp_path).stellar
    assert stellar == StellarSettings()
    assert (stellar.horizon_url, stellar.threshold, stellar.channels) == (
        DEFAULT_HORIZON_URL,
        1,
        4,
    )
    assert stellar.friendbot() == DEFAULT_HORIZON_URL + "/friendbot"


def test_a_stellar_table_configures_m_of_n(tmp_path: Path) -> None:
    quoted = ", ".join(f'"{v}"' for v in V)
    _toml(
        tmp_path,
        f'[stellar]\nhorizon_url = "https://horizon-testnet.stellar.org/"\n'
        f"validators = [{quoted}]\nthreshold = 2\nchannels = 8\n",
    )
    stellar = load_settings(tmp_path).stellar
    assert stellar.validators == V
    assert (stellar.threshold, stellar.channels) == (2, 8)
    assert stellar.horizon_url == "https://horizon-testnet.stellar.org"


def test_environment_variables_reach_nested_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACENODE_STELLAR__HORIZON_URL", "http://127.0.0.1:9999")
    monkeypatch.setenv("ACENODE_STELLAR__CHANNELS", "2")
    stellar = load_settings(tmp_path).stellar
    assert (stellar.horizon_url, stellar.channels) == ("http://127.0.0.1:9999", 2)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        pytest.param(f'validators = ["{V[0]}"]\nthreshold = 2', "threshold", id="m-above-n"),
        pytest.param("threshold = 0", "threshold", id="m-zero"),
        pytest.param('validators = ["GNOTAKEY"]', "validators", id="bad-key"),
        pytest.param(f'validators = ["{V[0]}", "{V[0]}"]', "twice", id="duplicate"),
        pytest.param('horizon_url = "ftp://x"', "horizon_url", id="bad-url"),
        pytest.param("channels = 0", "channels", id="no-channels"),
        pytest.param("surprise = 1", "surprise", id="unknown-key"),
    ],
)
def test_bad_stellar_settings_stop_the_node_with_one_line(
    tmp_path: Path, table: str, problem: str
) -> None:
    _toml(tmp_path, f"[stellar]\n{table}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert problem in err.value.detail
    assert "\n" not in err.value.detail


def test_the_config_template_documents_the_stellar_table() -> None:
    text = render_config()
    assert "[stellar]" in text and "# threshold = 1" in text
    assert tomllib.loads(text)["stellar"] == {}
