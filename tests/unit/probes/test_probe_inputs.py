"""Probe inputs from outside: endpoints, infohashes, .torrent bytes, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelayer.errors import ConfigError, InvalidInput
from servicelayer.probes.endpoint import Endpoint, resolve_endpoint
from servicelayer.probes.settings import loopback_settings, production_settings
from servicelayer.probes.target import ProbeTarget
from testnet.swarm import KiB, deterministic_bytes, make_torrent_fixture


@pytest.mark.parametrize(
    "text, expected",
    [
        ("127.0.0.1:6881", "127.0.0.1:6881"),
        ("[::1]:80", "[::1]:80"),
        ("[2001:DB8::0001]:65535", "[2001:db8::1]:65535"),
    ],
)
def test_endpoints_parse_to_canonical_text(text: str, expected: str) -> None:
    assert str(Endpoint.parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "::1:80",
        "[::1]80",
        "host:port",
        "1.2.3.4:+80",
        "300.1.1.1:80",
        ":80",
    ],
)
def test_bad_endpoints_are_rejected(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Endpoint.parse(text)
    assert raised.value.code == "bad_endpoint"


def test_names_resolve_but_bad_names_fail_cleanly() -> None:
    assert resolve_endpoint("localhost:6881").port == 6881
    with pytest.raises(InvalidInput):
        resolve_endpoint("no-such-host.invalid:6881")


def test_infohash_forms() -> None:
    hex_form = "0123456789abcdef0123456789ABCDEF01234567"
    assert ProbeTarget.from_infohash(hex_form).infohash == hex_form.lower()
    base32 = "AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH"
    assert ProbeTarget.from_infohash(base32).infohash == hex_form.lower()
    for bad in ["", "xyz", "0123456789abcdef0123456789abcdef0123456", "g" * 40]:
        with pytest.raises(InvalidInput) as raised:
            ProbeTarget.from_infohash(bad)
        assert raised.value.code == "bad_infohash"


def test_torrent_files_are_validated(tmp_path: Path) -> None:
    fixture = make_torrent_fixture(tmp_path / "seed", size=100 * KiB, piece_size=16 * KiB)
    good = fixture.write_torrent_file(tmp_path / "good.torrent")
    assert ProbeTarget.from_torrent_file(good).infohash == fixture.infohash

    cases = {
        "missing": (tmp_path / "nope.torrent", "torrent_file_missing"),
        "directory": (tmp_path, "bad_torrent"),
    }
    garbage = tmp_path / "garbage.torrent"
    garbage.write_bytes(deterministic_bytes(500))
    cases["garbage"] = (garbage, "bad_torrent")
    no_pieces = tmp_path / "nopieces.torrent"
    no_pieces.write_bytes(b"d4:infod4:name1:xee")
    cases["no pieces"] = (no_pieces, "bad_torrent")
    for path, code in cases.values():
        with pytest.raises(InvalidInput) as raised:
            ProbeTarget.from_torrent_file(path)
        assert raised.value.code == code


def test_settings_packs() -> None:
    test_pack = loopback_settings(0).as_dict()
    assert test_pack["listen_interfaces"] == "127.0.0.1:0"
    for key in ("enable_dht", "enable_lsd", "enable_upnp", "enable_natpmp"):
        assert test_pack[key] is False
        assert production_settings().as_dict()[key] is (key == "enable_dht")
    assert test_pack["ignore_limits_on_local_network"] is False
    assert loopback_settings().limit_local_peers
    with pytest.raises(ConfigError):
        loopback_settings(70000)
    with pytest.raises(ConfigError):
        loopback_settings(upload_rate_limit=-1)
