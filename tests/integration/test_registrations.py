"""Peers register their swarm endpoints with the node; anyone can read them back."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.receipts import network_id
from tests.conftest import BACKENDS
from tests.support import PASSPHRASE, NodeProcess, now

pytestmark = pytest.mark.integration
NET = network_id(PASSPHRASE)


def signed(
    keypair: Keypair, seq: int, port: int, valid_for: int = 3600, net: bytes = NET
) -> dict[str, object]:
    reg = build_registration(
        keypair.public_key, seq=seq, valid_until=now() + valid_for, endpoints=[f"127.0.0.1:{port}"]
    )
    return to_json(sign_registration(reg, keypair, net), net)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_register_replace_and_read_back(node: NodeProcess) -> None:
    peer = Keypair.random()
    first, second = signed(peer, 1, 6881), signed(peer, 2, 6882)
    with node.client() as c:
        assert c.post("/v1/registrations", json=first).json()["status"] == "registered"
        assert c.post("/v1/registrations", json=first).json()["status"] == "unchanged"
        assert c.post("/v1/registrations", json=second).json()["status"] == "registered"
        stale = c.post("/v1/registrations", json=first)
        stored = c.get(f"/v1/registrations/{peer.public_key}").json()
    assert stale.status_code == 409 and stale.json()["error"] == "stale_sequence"
    assert stored == second


def test_bad_registrations_are_refused_with_their_code(tmp_path: Path) -> None:
    root = tmp_path
    node = NodeProcess(root / "node", f"sqlite:///{root / 'n.sqlite3'}")
    node.start()
    peer = Keypair.random()
    good = signed(peer, 1, 6881)
    cases = {
        "bad_signature": dict(good, signature="00" * 64),
        "expired": signed(peer, 1, 6881, valid_for=-10),
        "wrong_network": signed(peer, 1, 6881, net=network_id("Test SDF Network ; September 2015")),
        "malformed": dict(good, seq="1"),
        "unknown_field": dict(good, extra=1),
    }
    try:
        with node.client() as c:
            for code, body in cases.items():
                response = c.post("/v1/registrations", json=body)
                assert response.status_code == 422, (code, response.text)
                assert response.json()["error"] == code
            assert (
                c.post(
                    "/v1/registrations", content=b"[", headers={"content-type": "application/json"}
                ).status_code
                == 400
            )
            assert c.get(f"/v1/registrations/{peer.public_key}").status_code == 404
    finally:
        assert node.stop() == 0
