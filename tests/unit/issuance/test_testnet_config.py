"""``testnet/stellar-testnet.toml`` is a valid node configuration for the public testnet."""

from __future__ import annotations

import shutil
from pathlib import Path

from servicelayer.config import CONFIG_FILE, load_settings

TESTNET_CONFIG = Path(__file__).resolve().parents[3] / "testnet" / "stellar-testnet.toml"


def test_the_testnet_config_loads_as_node_settings(tmp_path: Path) -> None:
    shutil.copy(TESTNET_CONFIG, tmp_path / CONFIG_FILE)
    settings = load_settings(tmp_path)
    assert settings.network_passphrase == "Test SDF Network ; September 2015"
    assert settings.stellar.horizon_url == "https://horizon-testnet.stellar.org"
    assert settings.stellar.friendbot() == "https://friendbot.stellar.org"
    assert settings.stellar.threshold == 1 and settings.stellar.validators == []
