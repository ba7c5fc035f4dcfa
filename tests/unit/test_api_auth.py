"""Sign-in tokens, SEP-10 challenges and idempotency fingerprints (no I/O but temp files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair, TransactionEnvelope

from servicelayer.auth import Sep10Server, TokenIssuer, ensure_secret_file
from servicelayer.errors import ConfigError, InvalidInput, Unauthorized
from servicelayer.services.idempotency import check_key, fingerprint

PASSPHRASE = "Standalone Network ; February 2017"


def make_server() -> Sep10Server:
    return Sep10Server(Keypair.random(), "localhost", "localhost", PASSPHRASE)


def test_a_token_names_its_account_until_it_expires() -> None:
    issuer = TokenIssuer(b"s" * 32, "GNODE")
    token, expires_at = issuer.issue("GACCOUNT", now=1000)
    assert expires_at == 1000 + 3600
    assert issuer.account_of(token, now=1000 + 3599) == "GACCOUNT"
    with pytest.raises(Unauthorized):
        issuer.account_of(token, now=expires_at)


@pytest.mark.parametrize(
    "other",
    [TokenIssuer(b"t" * 32, "GNODE"), TokenIssuer(b"s" * 32, "GOTHERNODE")],
    ids=["other-secret", "other-issuer"],
)
def test_a_token_from_another_node_is_refused(other: TokenIssuer) -> None:
    token, _ = other.issue("GACCOUNT", now=1000)
    with pytest.raises(Unauthorized):
        TokenIssuer(b"s" * 32, "GNODE").account_of(token, now=1001)


def test_the_secret_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "api_jwt.secret"
    first = ensure_secret_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_secret_file(path) == first and len(first) == 32
    path.chmod(0o644)
    with pytest.raises(ConfigError):
        ensure_secret_file(path)


def test_a_challenge_signed_by_its_account_names_that_account() -> None:
    server, client = make_server(), Keypair.random()
    envelope = TransactionEnvelope.from_xdr(server.challenge(client.public_key), PASSPHRASE)
    with pytest.raises(Unauthorized):
        server.verify(envelope.to_xdr())  # not yet signed by the client
    envelope.sign(client)
    signed = server.verify(envelope.to_xdr())
    assert signed.account == client.public_key and len(signed.nonce) == 64
    with pytest.raises(Unauthorized):
        make_server().verify(envelope.to_xdr())  # another node's challenge


@pytest.mark.parametrize("account", ["", "GABC", "S" + "A" * 55, "G" * 56])
def test_a_challenge_needs_a_real_account(account: str) -> None:
    with pytest.raises(InvalidInput):
        make_server().challenge(account)


def test_the_fingerprint_ignores_key_order_but_not_content() -> None:
    a = fingerprint("post", "/v1/plans", {"plan_id": "p", "price": 1})
    assert a == fingerprint("POST", "/v1/plans", {"price": 1, "plan_id": "p"})
    assert a != fingerprint("POST", "/v1/plans", {"plan_id": "p", "price": 2})
    assert a != fingerprint("POST", "/v1/bundles", {"plan_id": "p", "price": 1})


@pytest.mark.parametrize("key", [None, "", " ", "a b", "x" * 256, "é"])
def test_malformed_idempotency_keys_are_refused(key: str | None) -> None:
    with pytest.raises(InvalidInput):
        check_key(key)


def test_well_formed_idempotency_keys_pass() -> None:
    assert check_key("acedao-0f3c") == "acedao-0f3c"
    assert check_key("x" * 255) == "x" * 255
