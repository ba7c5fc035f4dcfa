"""An unmodified stellar_sdk.Server against the standalone ledger's Horizon front."""

from __future__ import annotations

import httpx
import pytest
from stellar_sdk import (
    Asset,
    Claimant,
    CreateAccount,
    CreateClaimableBalance,
    Keypair,
    ManageData,
    Network,
    Payment,
    SetOptions,
    Signer,
    TransactionBuilder,
)
from stellar_sdk.exceptions import BadRequestError, NotFoundError
from stellar_sdk.sep.exceptions import AccountRequiresMemoError

from tests.integration.ledger.conftest import RunningHorizon

pytestmark = pytest.mark.integration
PASSPHRASE = "Standalone Network ; February 2017"


def fund(h: RunningHorizon) -> Keypair:
    keypair = Keypair.random()
    response = httpx.get(h.url + "friendbot", params={"addr": keypair.public_key}, timeout=30)
    assert response.status_code == 200, response.text
    return keypair


def native_balance(h: RunningHorizon, keypair: Keypair) -> str:
    account = h.server.accounts().account_id(keypair.public_key).call()
    return next(b["balance"] for b in account["balances"] if b["asset_type"] == "native")


def pay(
    h: RunningHorizon,
    source: Keypair,
    ops: list,
    signers: list[Keypair] | None = None,
    memo: str | None = None,
):  # type: ignore[no-untyped-def]
    builder = TransactionBuilder(
        h.server.load_account(source.public_key), PASSPHRASE, base_fee=h.server.fetch_base_fee()
    )
    for op in ops:
        builder.append_operation(op)
    if memo:
        builder.add_text_memo(memo)
    envelope = builder.set_timeout(60).build()
    for signer in signers or [source]:
        envelope.sign(signer)
    return envelope


def test_root_reports_the_network_and_latest_ledger(horizon: RunningHorizon) -> None:
    root = horizon.server.root().call()
    assert root["network_passphrase"] == PASSPHRASE
    assert root["history_latest_ledger"] >= 1 and root["core_version"]
    assert horizon.server.fetch_base_fee() == 100
    latest = horizon.server.ledgers().order(desc=True).limit(1).call()
    record = latest["_embedded"]["records"][0]
    assert record["sequence"] == root["history_latest_ledger"] or record["sequence"] > 1
    assert record["base_reserve_in_stroops"] == 5_000_000
    assert latest["_links"]["next"]["href"].startswith(horizon.url + "ledgers?")


def test_friendbot_funds_ten_thousand_lumens(horizon: RunningHorizon) -> None:
    alice = fund(horizon)
    account = horizon.server.load_account(alice.public_key)
    assert account.sequence > 0 and account.sequence % (1 << 32) == 0
    assert native_balance(horizon, alice) == "10000.0000000"


def test_payment_through_submit_transaction(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    response = horizon.server.submit_transaction(
        pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "12.5")])
    )
    assert response["successful"] is True and response["fee_charged"] == "100"
    assert response["ledger"] >= 2 and int(response["paging_token"]) >> 32 == response["ledger"]
    assert native_balance(horizon, bob) == "10012.5000000"
    assert native_balance(horizon, alice) == "9987.4999900"
    fetched = horizon.server.transactions().transaction(response["hash"]).call()
    assert fetched["envelope_xdr"] == response["envelope_xdr"]


def test_payments_join_their_transactions_with_memo(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    sent = horizon.server.submit_transaction(
        pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "3")], memo="sub")
    )
    builder = horizon.server.payments().for_account(bob.public_key).order(desc=False)
    [funding, payment] = builder.join("transactions").call()["_embedded"]["records"]
    assert funding["type"] == "create_account"
    tx = payment["transaction"]
    assert (tx["hash"], tx["memo_type"], tx["memo"], tx["successful"]) == (
        sent["hash"],
        "text",
        "sub",
        True,
    )
    assert "transaction" not in builder.join("").call()["_embedded"]["records"][1]
    bad = httpx.get(horizon.url + f"accounts/{bob.public_key}/payments", params={"join": "x"})
    assert bad.status_code == 400


def test_failed_transaction_is_a_400_with_result_codes(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    envelope = pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "20000")])
    with pytest.raises(BadRequestError) as caught:
        horizon.server.submit_transaction(envelope)
    extras = caught.value.extras
    assert caught.value.status == 400 and extras is not None
    assert extras["result_codes"] == {"transaction": "tx_failed", "operations": ["op_underfunded"]}
    assert extras["envelope_xdr"] == envelope.to_xdr() and extras["result_xdr"]
    assert native_balance(horizon, alice) == "9999.9999900"  # fee charged, payment not
    history = horizon.server.transactions().for_account(alice.public_key)
    assert len(history.call()["_embedded"]["records"]) == 1  # failed ones hidden by default
    with_failed = history.include_failed(True).call()["_embedded"]["records"]
    assert [r["successful"] for r in with_failed] == [True, False]
    stale = pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "1")])
    stale.transaction.sequence -= 1
    stale.signatures.clear()
    stale.sign(alice)
    with pytest.raises(BadRequestError) as rejected:
        horizon.server.submit_transaction(stale)
    assert rejected.value.extras["result_codes"]["transaction"] == "tx_bad_seq"  # type: ignore[index]


def test_same_envelope_twice_gets_the_same_answer(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    envelope = pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "1")])
    first = horizon.server.submit_transaction(envelope)
    second = horizon.server.submit_transaction(envelope)
    assert second["hash"] == first["hash"] and second["ledger"] == first["ledger"]
    assert native_balance(horizon, bob) == "10001.0000000"


def test_account_history_pages_with_cursor_order_and_limit(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    for amount in ("1", "2", "3"):
        horizon.server.submit_transaction(
            pay(horizon, alice, [Payment(bob.public_key, Asset.native(), amount)])
        )
    first = horizon.server.transactions().for_account(alice.public_key).limit(2).call()
    records = first["_embedded"]["records"]
    assert (
        len(records) == 2 and records[0]["source_account"] == horizon.ledger.root_keypair.public_key
    )
    following = httpx.get(first["_links"]["next"]["href"], timeout=5).json()
    assert [r["source_account"] for r in following["_embedded"]["records"]] == [
        alice.public_key,
        alice.public_key,
    ]
    newest = horizon.server.transactions().for_account(alice.public_key).order(desc=True).call()
    tokens = [int(r["paging_token"]) for r in newest["_embedded"]["records"]]
    assert tokens == sorted(tokens, reverse=True) and len(tokens) == 4
    payments = horizon.server.payments().for_account(bob.public_key).call()["_embedded"]["records"]
    assert [p["type"] for p in payments] == ["create_account", "payment", "payment", "payment"]
    assert [p.get("amount") for p in payments[1:]] == ["1.0000000", "2.0000000", "3.0000000"]
    ops = horizon.server.operations().for_account(alice.public_key).limit(1).call()
    assert ops["_embedded"]["records"][0]["type"] == "create_account"


def test_memo_required_destination_is_enforced_by_the_sdk(horizon: RunningHorizon) -> None:
    alice, exchange = fund(horizon), fund(horizon)
    horizon.server.submit_transaction(
        pay(horizon, exchange, [ManageData("config.memo_required", "1")])
    )
    account = horizon.server.accounts().account_id(exchange.public_key).call()
    assert account["data"] == {"config.memo_required": "MQ=="}
    with pytest.raises(AccountRequiresMemoError):
        horizon.server.submit_transaction(
            pay(horizon, alice, [Payment(exchange.public_key, Asset.native(), "1")])
        )
    ok = horizon.server.submit_transaction(
        pay(horizon, alice, [Payment(exchange.public_key, Asset.native(), "1")], memo="id-7")
    )
    assert ok["memo_type"] == "text" and ok["memo"] == "id-7"
    ghost = Keypair.random().public_key  # 404 during the memo check is fine
    with pytest.raises(BadRequestError) as caught:
        horizon.server.submit_transaction(
            pay(horizon, alice, [Payment(ghost, Asset.native(), "1")])
        )
    assert caught.value.extras["result_codes"]["operations"] == ["op_no_destination"]  # type: ignore[index]


def test_multisig_batch_of_payments(horizon: RunningHorizon) -> None:
    treasury = fund(horizon)
    v1, v2, v3 = Keypair.random(), Keypair.random(), Keypair.random()
    setup = [SetOptions(signer=Signer.ed25519_public_key(v.public_key, 1)) for v in (v1, v2, v3)]
    setup.append(SetOptions(master_weight=0, low_threshold=2, med_threshold=2, high_threshold=2))
    horizon.server.submit_transaction(pay(horizon, treasury, setup))
    payees = [Keypair.random().public_key for _ in range(100)]
    batch = pay(horizon, treasury, [CreateAccount(p, "1") for p in payees], signers=[v1, v3])
    response = horizon.server.submit_transaction(batch)
    assert response["operation_count"] == 100 and response["fee_charged"] == "10000"
    account = horizon.server.accounts().account_id(treasury.public_key).call()
    assert account["thresholds"] == {"low_threshold": 2, "med_threshold": 2, "high_threshold": 2}
    assert len(account["signers"]) == 3 and account["subentry_count"] == 3
    assert horizon.server.accounts().account_id(payees[99]).call()["balances"][0]["balance"] == (
        "1.0000000"
    )


def test_claimable_balances_by_claimant_and_id(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    envelope = pay(
        horizon, alice, [CreateClaimableBalance(Asset.native(), "5", [Claimant(bob.public_key)])]
    )
    horizon.server.submit_transaction(envelope)
    balance_id = envelope.transaction.get_claimable_balance_id(0)
    listed = horizon.server.claimable_balances().for_claimant(bob.public_key).call()
    records = listed["_embedded"]["records"]
    assert [r["id"] for r in records] == [balance_id]
    one = horizon.server.claimable_balances().claimable_balance(balance_id).call()
    assert one["amount"] == "5.0000000" and one["sponsor"] == alice.public_key
    assert one["claimants"] == [
        {"destination": bob.public_key, "predicate": {"unconditional": True}}
    ]


def test_fee_stats_and_errors_never_5xx(horizon: RunningHorizon) -> None:
    stats = horizon.server.fee_stats().call()
    assert stats["last_ledger_base_fee"] == "100" and "p99" in stats["fee_charged"]
    with pytest.raises(NotFoundError):
        horizon.server.accounts().account_id(Keypair.random().public_key).call()
    for path, params in (
        ("ledgers", {"cursor": "abc"}),
        ("ledgers", {"limit": "0"}),
        ("ledgers", {"order": "sideways"}),
        ("accounts/GBAD", {}),
        ("ledgers/notanumber", {}),
        ("friendbot", {"addr": "nope"}),
        ("claimable_balances", {"claimant": "x"}),
    ):
        response = httpx.get(horizon.url + path, params=params, timeout=5)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["type"].endswith("bad_request")
    malformed = httpx.post(horizon.url + "transactions", data={"tx": "AAAA"}, timeout=5)
    assert malformed.status_code == 400
    assert malformed.json()["type"].endswith("transaction_malformed")
    missing = httpx.post(horizon.url + "transactions", data={}, timeout=5)
    assert missing.status_code == 400
    assert httpx.get(horizon.url + "transactions/" + "0" * 64, timeout=5).status_code == 404


def test_signature_from_another_network_fails_with_bad_auth(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    envelope = (
        TransactionBuilder(
            horizon.server.load_account(alice.public_key),
            Network.TESTNET_NETWORK_PASSPHRASE,
            base_fee=100,
        )
        .append_operation(Payment(bob.public_key, Asset.native(), "1"))
        .set_timeout(30)
        .build()
    )
    envelope.sign(alice)
    with pytest.raises(BadRequestError) as caught:
        horizon.server.submit_transaction(envelope)
    assert caught.value.extras["result_codes"] == {"transaction": "tx_bad_auth"}  # type: ignore[index]


def test_claimable_balances_page_by_cursor(horizon: RunningHorizon) -> None:
    alice, bob = fund(horizon), fund(horizon)
    ids = []
    for amount in ("1", "2"):
        envelope = pay(
            horizon,
            alice,
            [CreateClaimableBalance(Asset.native(), amount, [Claimant(bob.public_key)])],
        )
        horizon.server.submit_transaction(envelope)
        ids.append(envelope.transaction.get_claimable_balance_id(0))
    first = horizon.server.claimable_balances().for_claimant(bob.public_key).limit(1).call()
    assert [r["id"] for r in first["_embedded"]["records"]] == ids[:1]
    second = httpx.get(first["_links"]["next"]["href"], timeout=5).json()
    assert [r["id"] for r in second["_embedded"]["records"]] == ids[1:]
    bad = httpx.get(horizon.url + "claimable_balances", params={"cursor": "x"}, timeout=5)
    assert bad.status_code == 400


def test_concurrent_friendbot_requests_chain_the_root_sequence(horizon: RunningHorizon) -> None:
    from concurrent.futures import ThreadPoolExecutor

    keypairs = [Keypair.random() for _ in range(30)]

    def friendbot(kp: Keypair) -> dict:  # type: ignore[type-arg]
        response = httpx.get(horizon.url + "friendbot", params={"addr": kp.public_key}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=30) as pool:
        created = list(pool.map(friendbot, keypairs))
    assert all(r["successful"] for r in created)
    sequences = sorted(int(r["source_account_sequence"]) for r in created)
    assert sequences == list(range(sequences[0], sequences[0] + 30))  # root's seq chain
    assert all(native_balance(horizon, kp) == "10000.0000000" for kp in keypairs)


def test_accounts_for_signer_and_asset(horizon: RunningHorizon) -> None:
    issuer, alice, bob = fund(horizon), fund(horizon), fund(horizon)
    usd = Asset("USD", issuer.public_key)
    cosigner = Keypair.random()
    horizon.server.submit_transaction(
        pay(horizon, alice, [SetOptions(signer=Signer.ed25519_public_key(cosigner.public_key, 1))])
    )
    from stellar_sdk import ChangeTrust

    horizon.server.submit_transaction(pay(horizon, bob, [ChangeTrust(usd)]))
    signed = horizon.server.accounts().for_signer(cosigner.public_key).call()
    assert [r["id"] for r in signed["_embedded"]["records"]] == [alice.public_key]
    holders = horizon.server.accounts().for_asset(usd).call()
    assert [r["id"] for r in holders["_embedded"]["records"]] == [bob.public_key]
    assert httpx.get(horizon.url + "accounts", timeout=5).status_code == 400


def test_payments_stream_delivers_new_payments(horizon: RunningHorizon) -> None:
    import queue
    import threading

    alice, bob = fund(horizon), fund(horizon)
    received: queue.Queue[dict] = queue.Queue()  # type: ignore[type-arg]
    latest = horizon.server.payments().for_account(bob.public_key).order(desc=True).call()
    cursor = latest["_embedded"]["records"][0]["paging_token"]  # bob's creation

    def listen() -> None:
        try:
            stream = horizon.server.payments().for_account(bob.public_key).cursor(cursor).stream()
            for record in stream:
                received.put(record)
        except Exception:  # the server stopping ends the stream
            return

    threading.Thread(target=listen, daemon=True).start()
    horizon.server.submit_transaction(
        pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "4.25")])
    )
    record = received.get(timeout=15)  # waits with a deadline, no sleep
    assert record["type"] == "payment" and record["amount"] == "4.2500000"
    assert record["to"] == bob.public_key and int(record["paging_token"]) > 0


def test_fee_bump_failure_reports_inner_codes(horizon: RunningHorizon) -> None:
    alice, sponsor = fund(horizon), fund(horizon)
    inner = pay(horizon, alice, [Payment(Keypair.random().public_key, Asset.native(), "1")])
    bump = TransactionBuilder.build_fee_bump_transaction(sponsor, 100, inner, PASSPHRASE)
    bump.sign(sponsor)
    with pytest.raises(BadRequestError) as caught:
        horizon.server.submit_transaction(bump, skip_memo_required_check=True)
    assert caught.value.extras["result_codes"] == {  # type: ignore[index]
        "transaction": "tx_fee_bump_inner_failed",
        "inner_transaction": "tx_failed",
        "operations": ["op_no_destination"],
    }
    assert native_balance(horizon, sponsor) == "9999.9999800"  # (1 op + 1) x 100 stroops
    stored = horizon.server.transactions().transaction(bump.hash_hex()).call()
    assert stored["fee_account"] == sponsor.public_key
    assert stored["inner_transaction"]["hash"] == inner.hash_hex()


def test_a_fee_bump_is_found_by_its_inner_hash_as_horizon_finds_it(
    horizon: RunningHorizon,
) -> None:
    alice, sponsor, bob = fund(horizon), fund(horizon), fund(horizon)
    inner = pay(horizon, alice, [Payment(bob.public_key, Asset.native(), "2")])
    bump = TransactionBuilder.build_fee_bump_transaction(sponsor, 200, inner, PASSPHRASE)
    bump.sign(sponsor)
    horizon.server.submit_transaction(bump, skip_memo_required_check=True)
    outer = horizon.server.transactions().transaction(bump.hash_hex()).call()
    found = horizon.server.transactions().transaction(inner.hash_hex()).call()
    # the same transaction, shown under the hash it was asked by, with that one's signatures
    assert found["id"] == found["hash"] == inner.hash_hex() != outer["hash"]
    assert found["fee_bump_transaction"]["hash"] == bump.hash_hex()
    assert found["signatures"] == found["inner_transaction"]["signatures"]
    assert outer["signatures"] == outer["fee_bump_transaction"]["signatures"]
    assert found["signatures"] != outer["signatures"]
    assert found["paging_token"] == outer["paging_token"] and found["successful"]
    ops = horizon.server.operations().for_transaction(inner.hash_hex()).call()
    assert [o["type"] for o in ops["_embedded"]["records"]] == ["payment"]
    with pytest.raises(NotFoundError):
        horizon.server.transactions().transaction("ab" * 32).call()


def test_second_server_on_a_taken_port_is_a_clear_error(horizon: RunningHorizon) -> None:
    from servicelayer.errors import ConfigError
    from testnet.ledger.front.server import HorizonServer

    port = int(horizon.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(ConfigError):
        HorizonServer(horizon.ledger, port=port)
