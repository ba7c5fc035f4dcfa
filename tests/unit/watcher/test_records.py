"""The watcher's edge: Horizon records validated, memos routed (no I/O)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from stellar_sdk import Keypair

from contracts.core import NATIVE, Asset
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.records import Memo, memo_of, payment_of
from servicelayer.watcher.memo import Route, content_id, memo_text, route
from servicelayer.watcher.payments import is_inbound

PAYER, TREASURY, ISSUER = (Keypair.random().public_key for _ in range(3))
TX_HASH = "ab" * 32


def record(**changes: Any) -> dict[str, Any]:
    tx = {
        "hash": TX_HASH,
        "ledger": 7,
        "created_at": "2026-11-21T12:00:00Z",
        "successful": True,
        "memo_type": "text",
        "memo": "sub",
        "memo_bytes": base64.b64encode(b"sub").decode(),
    }
    tx.update(changes.pop("tx", {}))
    base = {
        "id": "30064775169",
        "paging_token": "30064775169",
        "type": "payment",
        "transaction_hash": TX_HASH,
        "transaction_successful": True,
        "from": PAYER,
        "to": TREASURY,
        "asset_type": "native",
        "amount": "5.0000000",
        "transaction": tx,
    }
    base.update(changes)
    return base


def test_a_payment_record_becomes_an_observed_payment() -> None:
    p = payment_of(record())
    assert p is not None and p.problem == ""
    assert (p.payment_id, p.tx_hash, p.ledger, p.source, p.to) == (
        "30064775169",
        TX_HASH,
        7,
        PAYER,
        TREASURY,
    )
    assert (p.asset, p.amount, p.memo, p.closed_at) == (
        NATIVE,
        50_000_000,
        Memo("text", "sub", b"sub"),
        1_795_262_400,
    )
    assert is_inbound(p, TREASURY) and not is_inbound(p, PAYER)


def test_credit_assets_and_path_payments_are_read() -> None:
    p = payment_of(
        record(
            type="path_payment_strict_send",
            asset_type="credit_alphanum4",
            asset_code="USDC",
            asset_issuer=ISSUER,
        )
    )
    assert p is not None and p.asset == Asset("USDC", ISSUER) and p.problem == ""


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param({"amount": "1.123456789"}, "bad_amount", id="amount"),
        pytest.param({"amount": "0.0000000"}, "bad_amount", id="zero"),
        pytest.param({"from": "GNOTANACCOUNT"}, "bad_account", id="source"),
        pytest.param(
            {"asset_type": "credit_alphanum4", "asset_code": "X!"}, "bad_asset", id="asset"
        ),
        pytest.param({"transaction": None}, "transaction_missing", id="no-join"),
        pytest.param({"tx": {"hash": "cd" * 32}}, "transaction_missing", id="other-tx"),
        pytest.param({"tx": {"memo_type": "hash", "memo": "AAAA"}}, "bad_memo", id="short-hash"),
        pytest.param({"transaction_hash": "xyz"}, "bad_transaction_hash", id="tx-hash"),
    ],
)
def test_a_bad_record_is_kept_with_its_problem(changes: dict[str, Any], problem: str) -> None:
    p = payment_of(record(**changes))
    assert p is not None and p.problem == problem


def test_a_record_without_a_usable_id_stops_the_tick() -> None:
    with pytest.raises(LedgerUnavailable):
        payment_of(record(paging_token="abc", id="abc"))
    assert payment_of(record(type="create_account")) is None


def test_failed_transactions_are_not_inbound() -> None:
    p = payment_of(record(transaction_successful=False))
    assert p is not None and not is_inbound(p, TREASURY)


def test_memos_route_payments() -> None:
    v1 = bytes(range(20))
    v2 = bytes(range(1, 33))
    assert route(Memo("text", "sub")).route == Route.SUBSCRIPTION
    assert route(Memo("text", " PREPAID ")).route == Route.PREPAID
    assert route(Memo("hash", raw=v1 + bytes(12))) == route(Memo("hash", raw=v1 + bytes(12)))
    assert route(Memo("hash", raw=v1 + bytes(12))).content == v1.hex()
    assert route(Memo("hash", raw=v2)).content == v2.hex()
    assert route(Memo("text", "subscribe")).reason == "unknown_text_memo"
    assert route(Memo("none")).route == Route.NONE
    assert route(Memo("id", "42")).reason == "no_route_for_id_memo"
    assert route(Memo("return", raw=v2)).route == Route.NONE
    assert content_id(v1 + bytes(12)) == v1.hex() and len(content_id(v2)) == 64
    assert memo_text(Memo("hash", raw=v2)) == v2.hex()


def test_memo_fields_must_agree_with_the_memo_type() -> None:
    assert memo_of({"memo_type": "id", "memo": "12"}) == Memo("id", "12")
    assert memo_of({"memo_type": "id", "memo": "x"}) is None
    long = base64.b64encode(b"x" * 29).decode()
    assert memo_of({"memo_type": "text", "memo": "x", "memo_bytes": long}) is None
    assert memo_of({"memo_type": "weird"}) is None
