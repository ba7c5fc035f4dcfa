"""Signed writes: what a validator takes as an account's own write, and what it refuses."""

from __future__ import annotations

import re

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import InvalidInput, Unauthorized
from servicelayer.federation.writes import WINDOW_SECONDS, SignedWrite, from_header, sign_write
from tests.support import PASSPHRASE

ME = Keypair.random()
BODY = b'{"offering_id": "gold"}'
NOW = 1_796_000_000


def taken(
    headers: dict[str, str],
    method: str = "POST",
    path: str = "/v1/subscriptions",
    body: bytes = BODY,
) -> SignedWrite:
    """The write a validator takes from these headers (raises what it refuses with)."""
    write = from_header(headers["Authorization"], method, path, headers["Idempotency-Key"], body)
    write.check_time(NOW)
    write.verify(PASSPHRASE)
    return write


def headers(signed_at: int = NOW) -> dict[str, str]:
    return sign_write(ME, PASSPHRASE, "POST", "/v1/subscriptions", "k-1", BODY, signed_at)


def test_the_signed_request_is_the_accounts_write_and_travels_unchanged() -> None:
    write = taken(headers())
    assert (write.account, write.key, write.body) == (ME.public_key, "k-1", BODY.decode())
    again = SignedWrite.of(write.wire())
    again.verify(PASSPHRASE)  # as every validator checks it when it applies it
    assert again == write


@pytest.mark.parametrize(
    "what",
    ["body", "path", "method", "key", "network", "account"],
)
def test_any_change_to_what_was_signed_fails_the_signature(what: str) -> None:
    h = headers()
    body, path, method, passphrase = BODY, "/v1/subscriptions", "POST", PASSPHRASE
    if what == "body":
        body = b'{"offering_id": "free"}'
    elif what == "path":
        path = "/v1/plans"
    elif what == "method":
        method = "DELETE"
    elif what == "key":
        h["Idempotency-Key"] = "k-2"
    elif what == "network":
        passphrase = "Another network"
    else:
        other = Keypair.random().public_key
        h["Authorization"] = re.sub(r"account=G[A-Z2-7]+", f"account={other}", h["Authorization"])
    write = from_header(h["Authorization"], method, path, h["Idempotency-Key"], body)
    with pytest.raises(Unauthorized) as refused:
        write.verify(passphrase)
    assert refused.value.code == "bad_signature"


def test_a_write_signed_too_long_ago_or_ahead_is_refused() -> None:
    for offset in (WINDOW_SECONDS + 1, -WINDOW_SECONDS - 1):
        with pytest.raises(Unauthorized) as refused:
            taken(headers(signed_at=NOW + offset))
        assert refused.value.code == "stale_signature"
    taken(headers(signed_at=NOW - WINDOW_SECONDS))  # the edge is still taken


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "Ace-Signed account=GABC,signed_at=1,signature=xx",
        "Ace-Signed signed_at=1796000000,signature=xx",
        "ace-signed account=" + ME.public_key + ",signed_at=1,signature=xx",
        "",
    ],
    ids=["bearer", "short account", "no account", "lower-case scheme", "empty"],
)
def test_a_malformed_header_says_how_to_sign(authorization: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        from_header(authorization, "POST", "/v1/plans", "k", BODY)
    assert refused.value.code == "signed_write_required"


@pytest.mark.parametrize(
    "change",
    [
        {"method": "GET"},
        {"path": "/admin"},
        {"key": ""},
        {"signed_at": -1},
        {"signed_at": "1"},
        {"account": "G" * 56},
        {"body": "x" * (65 << 10)},
        {"extra": 1},
    ],
)
def test_a_batch_cannot_carry_a_malformed_write(change: dict[str, object]) -> None:
    wire = taken(headers()).wire() | change
    with pytest.raises(InvalidInput) as refused:
        SignedWrite.of(wire)
    assert refused.value.code == "bad_write"
