"""Observed peers are attributed to the accounts whose live registration names them."""

from __future__ import annotations

import dataclasses

from stellar_sdk import Keypair

from servicelayer.probes.attribution import attribute, latest_registrations
from servicelayer.probes.registration import build_registration

from .test_probe_evidence import make_evidence, make_peer

ALICE = Keypair.from_raw_ed25519_seed(bytes(range(32))).public_key
BOB = Keypair.from_raw_ed25519_seed(bytes(range(1, 33))).public_key
NOW = 1_700_000_100


def test_peers_map_to_accounts_through_endpoints_and_peer_id_prefix() -> None:
    honest = make_peer(endpoint="127.0.0.1:6881", peer_id=b"-AC0100-".hex() + "11" * 12)
    impostor = make_peer(endpoint="127.0.0.1:7000", peer_id=b"-TR3000-".hex() + "22" * 12)
    silent = make_peer(endpoint="127.0.0.1:7100", answered=False, peer_id="")
    stranger = make_peer(endpoint="127.0.0.1:9999")
    evidence = dataclasses.replace(make_evidence(), peers=(honest, impostor, silent, stranger))
    registrations = [
        build_registration(ALICE, 1, NOW + 60, ["127.0.0.1:7000"], b"-AC0100-"),  # superseded
        build_registration(ALICE, 2, NOW + 60, ["127.0.0.1:6881"], b"-AC0100-"),
        build_registration(BOB, 1, NOW + 60, ["127.0.0.1:7000", "127.0.0.1:7100"], b"-AC"),
        build_registration(BOB, 2, NOW - 1, ["127.0.0.1:9999"]),  # expired
    ]
    found = {
        (a.account, a.observation.endpoint): a.peer_id_matches
        for a in attribute(evidence, registrations, now=NOW)
    }
    assert found == {
        (ALICE, "127.0.0.1:6881"): True,
        (BOB, "127.0.0.1:7000"): False,  # someone else's client answered on Bob's endpoint
        (BOB, "127.0.0.1:7100"): False,  # never answered, so the id cannot match
    }


def test_latest_registration_wins_and_expired_ones_drop() -> None:
    old = build_registration(ALICE, 1, NOW + 10, ["127.0.0.1:1"])
    new = build_registration(ALICE, 5, NOW + 10, ["127.0.0.1:2"])
    gone = build_registration(BOB, 9, NOW - 10, ["127.0.0.1:3"])
    latest = latest_registrations([new, old, gone], now=NOW)
    assert list(latest.values()) == [new]
