"""The registration vectors published in docs/registration.md match the implementation.

Hashes and signatures are also recomputed here with hashlib and PyNaCl directly, so the
document, not only our module, is what is being checked.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey, VerifyKey
from stellar_sdk import Keypair

from servicelayer.probes.registration import (
    RegistrationError,
    decode_body,
    decode_signed,
    encode_body,
    from_json,
    sign_registration,
    signing_message,
    to_json,
    verify_registration,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "registration.md"


def _published() -> dict[str, Any]:
    text = DOC.read_text()
    block = re.search(r"<!-- vectors -->\s*```json\n(.*?)```", text, re.S)
    assert block, "docs/registration.md lost its test vectors"
    data: dict[str, Any] = json.loads(block.group(1))
    return data


PUBLISHED = _published()
NET = bytes.fromhex(PUBLISHED["network_id"])
SEEDS = {k["account"]: bytes.fromhex(k["seed"]) for k in PUBLISHED["keys"]}


def test_network_id_and_domain_tag() -> None:
    passphrase = PUBLISHED["network_passphrase"].encode()
    assert hashlib.sha256(passphrase).digest() == NET
    assert bytes.fromhex(PUBLISHED["domain_tag"]) == b"ACE-REGISTRATION-V1\x00"


def test_seeds_give_the_published_accounts() -> None:
    for account, seed in SEEDS.items():
        assert Keypair.from_raw_ed25519_seed(seed).public_key == account


@pytest.mark.parametrize("vector", PUBLISHED["vectors"], ids=lambda v: v["name"])
def test_vector(vector: dict[str, Any]) -> None:
    body = bytes.fromhex(vector["body"])
    signature = bytes.fromhex(vector["signature"])
    message = hashlib.sha256(b"ACE-REGISTRATION-V1\x00" + NET + body).digest()
    assert message.hex() == vector["message"]

    seed = SEEDS[vector["json"]["account"]]
    assert SigningKey(seed).sign(message).signature == signature
    VerifyKey(body[1:33]).verify(message, signature)
    assert vector["signed_bytes"] == vector["body"] + vector["signature"]

    signed, network_id = from_json(vector["json"])
    assert network_id == NET
    assert encode_body(signed.registration).hex() == vector["body"]
    assert signing_message(NET, body) == message
    assert decode_body(body) == signed.registration
    assert decode_signed(bytes.fromhex(vector["signed_bytes"])) == signed
    assert verify_registration(signed, NET) == signed.registration
    again = sign_registration(signed.registration, Keypair.from_raw_ed25519_seed(seed), NET)
    assert again.signature == signature
    assert to_json(again, NET) == vector["json"]


def test_worked_example_fields() -> None:
    """Section 5 of the doc, read back with plain slicing."""
    vector = PUBLISHED["vectors"][0]
    body = bytes.fromhex(vector["body"])
    account = Keypair.from_raw_ed25519_seed(bytes(range(32))).raw_public_key()
    assert body[0] == 1 and body[1:33] == account
    assert int.from_bytes(body[33:41], "big") == 1
    assert int.from_bytes(body[41:49], "big") == 1767225600
    assert body[49] == 1 and body[50] == 4 and body[51:55] == bytes([203, 0, 113, 7])
    assert int.from_bytes(body[55:57], "big") == 6881 and body[57:] == b"\x00"
    assert vector["json"]["endpoints"] == ["203.0.113.7:6881"]


@pytest.mark.parametrize("case", PUBLISHED["invalid_bodies"], ids=lambda c: c["name"])
def test_invalid_body_is_refused_with_its_code(case: dict[str, str]) -> None:
    with pytest.raises(RegistrationError) as raised:
        decode_body(bytes.fromhex(case["body"]))
    assert raised.value.code == case["code"]
