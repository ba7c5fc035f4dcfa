"""Registrations: build, sign, encode, decode, verify; every corruption is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from stellar_sdk import Keypair, Network

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.registration import (
    Registration,
    RegistrationError,
    SignedRegistration,
    accept_json,
    build_registration,
    decode_signed,
    from_json,
    sign_registration,
    to_json,
    verify_registration,
)

NET = Network("Standalone Network ; February 2017").network_id()
OTHER_NET = Network("Test SDF Network ; September 2015").network_id()
KEY = Keypair.from_raw_ed25519_seed(bytes(range(32)))
OTHER_KEY = Keypair.from_raw_ed25519_seed(bytes(range(1, 33)))


def make_signed(**changes: Any) -> SignedRegistration:
    args: dict[str, Any] = {
        "account": KEY.public_key,
        "seq": 5,
        "valid_until": 2_000_000_000,
        "endpoints": ["[2001:db8::7]:6881", "203.0.113.9:51413"],
        "peer_id_prefix": b"-AC0100-",
    }
    args.update(changes)
    return sign_registration(build_registration(**args), KEY, NET)


def codes_of(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(RegistrationError) as raised:
        fn(*args, **kwargs)
    return raised.value.code


def test_round_trip_binary_and_json() -> None:
    signed = make_signed()
    reg = verify_registration(decode_signed(signed.to_bytes()), NET, now=1_900_000_000)
    assert reg == signed.registration
    assert reg.endpoints == (Endpoint("203.0.113.9", 51413), Endpoint("2001:db8::7", 6881))
    back, network_id = from_json(to_json(signed, NET))
    assert back == signed and network_id == NET
    assert reg.account_id == KEY.public_key


def test_every_flipped_bit_of_the_signed_bytes_is_refused() -> None:
    data = make_signed().to_bytes()
    for index in range(len(data)):
        for bit in (0x01, 0x80):
            corrupted = bytearray(data)
            corrupted[index] ^= bit
            with pytest.raises(RegistrationError):
                verify_registration(decode_signed(bytes(corrupted)), NET)


def test_signature_is_bound_to_network_account_and_expiry() -> None:
    signed = make_signed()
    assert codes_of(verify_registration, signed, OTHER_NET) == "bad_signature"
    forged = SignedRegistration(
        Registration(OTHER_KEY.raw_public_key(), 5, 2_000_000_000, signed.registration.endpoints),
        signed.signature,
    )
    assert codes_of(verify_registration, forged, NET) == "bad_signature"
    assert codes_of(verify_registration, signed, NET, now=2_000_000_001) == "expired"
    assert verify_registration(signed, NET, now=2_000_000_000) == signed.registration
    assert codes_of(sign_registration, signed.registration, OTHER_KEY, NET) == "bad_account"


def test_newer_seq_supersedes() -> None:
    old = make_signed(seq=5).registration
    new = make_signed(seq=6).registration
    assert new.supersedes(old) and not old.supersedes(new) and not old.supersedes(old)
    stranger = sign_registration(
        build_registration(OTHER_KEY.public_key, 9, 1, ["192.0.2.1:1"]), OTHER_KEY, NET
    ).registration
    assert not stranger.supersedes(old)


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"endpoints": []}, "bad_endpoint_count"),
        ({"endpoints": [f"192.0.2.{i}:6881" for i in range(1, 10)]}, "bad_endpoint_count"),
        ({"endpoints": ["192.0.2.1:6881", "192.0.2.1:6881"]}, "endpoints_not_canonical"),
        ({"endpoints": ["0.0.0.0:6881"]}, "bad_endpoint"),
        ({"endpoints": ["[::ffff:192.0.2.1]:6881"]}, "bad_endpoint"),
        ({"endpoints": ["224.0.0.1:6881"]}, "bad_endpoint"),
        ({"seq": 0}, "out_of_bounds"),
        ({"seq": 2**63}, "out_of_bounds"),
        ({"valid_until": -1}, "out_of_bounds"),
        ({"peer_id_prefix": bytes(21)}, "bad_peer_id_prefix"),
        ({"account": "GNOTAKEY"}, "bad_account"),
    ],
)
def test_build_refuses_bad_fields(changes: dict[str, Any], code: str) -> None:
    assert codes_of(make_signed, **changes) == code


def _json_case(mutate: Any) -> str:
    data = to_json(make_signed(), NET)
    changed = copy.deepcopy(data)
    mutate(changed)
    return codes_of(from_json, changed)


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda d: d.update(extra=1), "unknown_field"),
        (lambda d: d.update(version=2), "unsupported_version"),
        (lambda d: d.update(seq="5"), "malformed"),
        (lambda d: d.update(seq=True), "malformed"),
        (lambda d: d.update(valid_until=2**63), "out_of_bounds"),
        (lambda d: d.update(account="G" + "A" * 55), "bad_account"),
        (lambda d: d.update(endpoints=["203.0.113.9"]), "bad_endpoint"),
        (lambda d: d.update(endpoints="203.0.113.9:1"), "malformed"),
        (lambda d: d["endpoints"].reverse(), "endpoints_not_canonical"),
        (lambda d: d.update(signature=d["signature"][:-2]), "malformed"),
        (lambda d: d.update(signature=d["signature"].upper()), "malformed"),
        (lambda d: d.update(network_id="zz" * 32), "malformed"),
        (lambda d: d.update(id="00" * 32), "bad_id"),
        (lambda d: d.update(peer_id_prefix="00" * 21), "malformed"),
    ],
)
def test_json_refuses_bad_input(mutate: Any, code: str) -> None:
    assert _json_case(mutate) == code


def test_json_without_id_is_accepted_and_non_objects_are_refused() -> None:
    data = to_json(make_signed(), NET)
    del data["id"]
    signed, _ = from_json(data)
    assert verify_registration(signed, NET) == signed.registration
    assert codes_of(from_json, [data]) == "malformed"


def test_accept_json_checks_network_signature_and_expiry() -> None:
    data = to_json(make_signed(), NET)
    assert accept_json(data, NET, now=1_900_000_000).registration.seq == 5
    assert codes_of(accept_json, data, OTHER_NET, now=1_900_000_000) == "wrong_network"
    assert codes_of(accept_json, data, NET, now=2_000_000_001) == "expired"
    forged = dict(data, seq=6)
    del forged["id"]
    assert codes_of(accept_json, forged, NET, now=1_900_000_000) == "bad_signature"
