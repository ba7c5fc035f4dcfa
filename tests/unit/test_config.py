"""Configuration precedence: defaults < TOML < environment < command-line flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.config_template import render_config
from servicelayer.config import load_settings
from servicelayer.errors import ConfigError
from servicelayer.http_settings import HttpSettings


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACENODE_PORT", raising=False)
    assert load_settings(tmp_path).port == 8700
    (tmp_path / "acenode.toml").write_text("port = 9001\nepoch_seconds = 120\n")
    assert load_settings(tmp_path).port == 9001
    monkeypatch.setenv("ACENODE_PORT", "9002")
    assert load_settings(tmp_path).port == 9002
    settings = load_settings(tmp_path, port=9003)
    assert (settings.port, settings.epoch_seconds) == (9003, 120)


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    url = load_settings(tmp_path).resolved_database_url()
    assert url == f"sqlite:///{(tmp_path / 'node.sqlite3').resolve()}"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("epoch_seconds = 90\n", "multiple of 60", id="epoch-not-whole-windows"),
        pytest.param("prot = 1\n", "prot", id="unknown-key"),
        pytest.param("port = 'x'\n", "port", id="wrong-type"),
        pytest.param("port = \n", "cannot read", id="not-toml"),
        pytest.param("retention_seconds = 60\n", "retention", id="retention-below-epoch"),
        pytest.param(
            '[limits]\nwrites_per_account = "lots"\n', "writes_per_account", id="bad-rate"
        ),
        pytest.param('[limits]\nstrategy = "leaky"\n', "strategy", id="unknown-strategy"),
        pytest.param(
            "[http]\nheader_timeout_seconds = 0\n", "header_timeout_seconds", id="no-head-time"
        ),
        pytest.param("[http]\nmax_connections = 0\n", "max_connections", id="no-connections"),
        pytest.param("[http]\nbody_timeout = 5\n", "body_timeout", id="unknown-http-key"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "acenode.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert fragment in err.value.detail


def test_the_written_template_loads_to_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "acenode.toml").write_text(render_config())
    assert load_settings(tmp_path) == load_settings(tmp_path / "elsewhere").model_copy(
        update={"data_dir": tmp_path}
    )


def test_rate_limits_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acenode.toml").write_text('[limits]\nwrites_per_account = "30/minute"\n')
    assert load_settings(tmp_path).limits.writes_per_account == "30/minute"
    monkeypatch.setenv("ACENODE_LIMITS__WRITES_PER_ACCOUNT", "5/second; 100/minute")
    monkeypatch.setenv("ACENODE_LIMITS__TRUSTED_PROXIES", '["10.0.0.2"]')
    limits = load_settings(tmp_path).limits
    assert limits.writes_per_account == "5/second; 100/minute"
    assert limits.trusted_proxies == ["10.0.0.2"]


def test_the_templates_http_values_are_its_defaults(tmp_path: Path) -> None:
    """The commented [http] values of ``acenode init``'s file, uncommented, change nothing."""
    text, _, rest = render_config().partition("[http]\n")
    table = rest.split("\n\n", 1)[0]
    values = [line.removeprefix("# ").split("  #")[0] for line in table.splitlines()]
    assert len(values) == len(HttpSettings.model_fields)
    (tmp_path / "acenode.toml").write_text(text + "[http]\n" + "\n".join(values) + "\n")
    assert load_settings(tmp_path).http == HttpSettings()


def test_http_settings_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACENODE_HTTP__MAX_CONNECTIONS_PER_CLIENT", "0")
    assert load_settings(tmp_path).http.max_connections_per_client == 0
