"""Horizon JSON shapes rendered from ledger state and stored records (no HTTP)."""

from __future__ import annotations

import hashlib

import pytest
from stellar_sdk import Asset, ChangeTrust, ManageData, Payment, SetOptions, Signer
from stellar_sdk import xdr as x

from servicelayer.errors import InvalidInput
from testnet.ledger import StandaloneLedger, horizon, paging
from tests.ledger.helpers import issue, make_funded_account, submit

BASE = "http://horizon.example:8000"


def test_account_resource_has_horizon_fields(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "2.5")
    cosigner = make_funded_account(ledger)
    ops = [
        ManageData("name", "value"),
        SetOptions(
            home_domain="alice.example", signer=Signer.ed25519_public_key(cosigner.public_key, 3)
        ),
    ]
    assert submit(ledger, alice, ops).successful
    found = ledger.account_entries(alice.public_key)
    assert found is not None
    body = horizon.account(*found, BASE)
    assert body["id"] == body["account_id"] == alice.public_key
    assert body["_links"]["self"]["href"] == f"{BASE}/accounts/{alice.public_key}"
    assert body["subentry_count"] == 3 and body["home_domain"] == "alice.example"
    assert body["data"] == {"name": "dmFsdWU="}
    assert body["balances"][0] == {
        "balance": "2.5000000",
        "limit": "922337203685.4775807",
        "buying_liabilities": "0.0000000",
        "selling_liabilities": "0.0000000",
        "last_modified_ledger": body["balances"][0]["last_modified_ledger"],
        "is_authorized": True,
        "is_authorized_to_maintain_liabilities": True,
        "asset_type": "credit_alphanum4",
        "asset_code": "USD",
        "asset_issuer": issuer.public_key,
    }
    assert body["balances"][-1]["asset_type"] == "native"
    assert body["signers"] == [
        {"weight": 3, "key": cosigner.public_key, "type": "ed25519_public_key"},
        {"weight": 1, "key": alice.public_key, "type": "ed25519_public_key"},
    ]
    assert body["flags"] == {
        "auth_required": False,
        "auth_revocable": False,
        "auth_immutable": False,
        "auth_clawback_enabled": False,
    }
    assert int(body["sequence"]) == found[0].seq_num


def test_transaction_and_operation_records_use_toids(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    result = submit(
        ledger,
        alice,
        [Payment(bob.public_key, Asset.native(), "3"), ChangeTrust(Asset("EUR", bob.public_key))],
    )
    assert result.successful and result.record is not None and result.ledger is not None
    tx = horizon.transaction(result.record, BASE)
    assert int(tx["paging_token"]) == (result.ledger << 32) | (1 << 12)
    assert tx["fee_charged"] == "200" and tx["max_fee"] == "200"
    assert tx["_links"]["ledger"]["href"] == f"{BASE}/ledgers/{result.ledger}"
    ops = ledger.store.operations(
        account=None,
        transaction_id=int(tx["paging_token"]),
        payments_only=False,
        cursor=None,
        descending=False,
        limit=10,
    )
    assert [int(o["id"]) & 0xFFF for o in ops] == [1, 2]
    assert ops[0]["type"] == "payment" and ops[0]["amount"] == "3.0000000"
    assert ops[0]["from"] == alice.public_key and ops[0]["to"] == bob.public_key
    assert ops[1]["type"] == "change_trust" and ops[1]["trustee"] == bob.public_key


def test_paging_links_and_validation() -> None:
    params = paging.parse_page("42", "desc", "5")
    records = [{"paging_token": "40"}, {"paging_token": "30"}]
    links = paging.page(records, BASE, "/ledgers", params)["_links"]
    assert links["self"]["href"] == f"{BASE}/ledgers?cursor=42&limit=5&order=desc"
    assert links["next"]["href"] == f"{BASE}/ledgers?cursor=30&limit=5&order=desc"
    assert links["prev"]["href"] == f"{BASE}/ledgers?cursor=40&limit=5&order=asc"
    assert paging.parse_page(None, None, None).limit == 10
    for cursor, order, limit in (
        ("x", None, None),
        (None, "up", None),
        (None, None, "201"),
        (None, None, "0"),
        ("-5", None, None),
    ):
        with pytest.raises(InvalidInput):
            paging.parse_page(cursor, order, limit)


def test_ledger_resource(ledger: StandaloneLedger) -> None:
    header = ledger.close_ledger()
    body = horizon.ledger(header, BASE)
    assert body["sequence"] == header.seq and body["paging_token"] == str(header.seq << 32)
    assert body["total_coins"] == "100000000000.0000000"
    assert body["base_fee_in_stroops"] == 100 and body["base_reserve_in_stroops"] == 5_000_000
    assert body["prev_hash"] != "" and body["hash"] == header.hash
    decoded = x.LedgerHeader.from_xdr(body["header_xdr"])
    assert decoded.ledger_seq.uint32 == header.seq
    assert hashlib.sha256(decoded.to_xdr_bytes()).hexdigest() == header.hash
    assert decoded.previous_ledger_hash.hash.hex() == body["prev_hash"]
