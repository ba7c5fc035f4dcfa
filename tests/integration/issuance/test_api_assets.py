"""A real node process serves the assets and its SEP-1 stellar.toml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stellar_sdk.sep.stellar_toml import fetch_stellar_toml

from testnet.processes import NodeProcess
from tests.integration.issuance.helpers import INFOHASH, assets, dao_public, node_key

pytestmark = pytest.mark.integration


@pytest.fixture
def node(node_dir: Path) -> Iterator[NodeProcess]:
    assets(node_dir, "issue", "SHOW1", "--kind", "access", "--content", INFOHASH,
           "--cap", "25", "--amount", "25", "--revocable")  # fmt: skip
    assets(node_dir, "lock", "SHOW1")
    proc = NodeProcess(node_dir)
    proc.start()
    yield proc
    assert proc.stop() == 0, proc.output()


def test_assets_are_served_and_listed_in_stellar_toml(node: NodeProcess, node_dir: Path) -> None:
    with node.client() as c:
        listed = c.get("/v1/assets")
        one = c.get("/v1/assets/SHOW1")
        missing = c.get("/v1/assets/NOPE")
        bad = c.get("/v1/assets/not-a-code")
        raw = c.get("/.well-known/stellar.toml")
    assert listed.status_code == 200
    show = next(a for a in listed.json()["assets"] if a["code"] == "SHOW1")
    assert one.json() == show
    assert show["kind"] == "access" and show["grants"] == f"content:{INFOHASH}"
    assert (show["cap"], show["issued"], show["locked"]) == (250_000_000, 250_000_000, True)
    assert show["flags"] == {"auth_required": False, "revocable": True, "clawback_enabled": False}
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_asset"
    assert bad.status_code == 422

    assert raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["access-control-allow-origin"] == "*"
    toml = fetch_stellar_toml(f"127.0.0.1:{node.port}", use_http=True)
    assert toml["NETWORK_PASSPHRASE"] == "Standalone Network ; February 2017"
    assert toml["SIGNING_KEY"] == node_key(node_dir).public_key
    assert toml["WEB_AUTH_ENDPOINT"] == f"{node.url}/v1/auth"
    for role in ("treasury", "issuer", "distribution", "anchor"):
        assert dao_public(node_dir, role) in toml["ACCOUNTS"]
    assert show["issuer"] in toml["ACCOUNTS"]
    currency = next(c for c in toml["CURRENCIES"] if c["code"] == "SHOW1")
    assert currency["issuer"] == show["issuer"]
    assert currency["fixed_number"] == 25 and currency["is_asset_anchored"] is False
