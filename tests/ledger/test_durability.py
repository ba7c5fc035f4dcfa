"""The database (schema from Alembic), restarts, the close timer and blocking submission."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from stellar_sdk import (
    Asset,
    ChangeTrust,
    Claimant,
    ClaimClaimableBalance,
    CreateClaimableBalance,
    ManageData,
    Payment,
)

from servicelayer.errors import ConfigError, InvalidInput
from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import (
    FakeClock,
    balance,
    build,
    make_funded_account,
    run,
    submit,
    xlm,
)


def test_schema_comes_from_the_ledger_alembic_environment(
    ledger: StandaloneLedger, tmp_path: Path
) -> None:
    tables = set(
        inspect(create_engine(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")).get_table_names()
    )
    assert {
        "ledger_alembic_version",
        "ledger_headers",
        "ledger_entries",
        "ledger_transactions",
        "ledger_operations",
    } <= tables


def test_restart_keeps_accounts_entries_and_transactions(tmp_path: Path, clock: FakeClock) -> None:
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd), ManageData("k", "v")]).successful
    pay = build(ledger, issuer, [Payment(alice.public_key, usd, "4")])
    paid = run(ledger, pay)
    cb = build(
        ledger, alice, [CreateClaimableBalance(Asset.native(), "3", [Claimant(issuer.public_key)])]
    )
    assert run(ledger, cb).successful
    balance_id = cb.transaction.get_claimable_balance_id(0)
    header = ledger.latest_ledger()
    ledger.close()

    reopened = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    try:
        assert reopened.latest_ledger() == header
        entries = reopened.account_entries(alice.public_key)
        assert entries is not None
        account, lines, data = entries
        assert account.num_sub_entries == 2 and account.num_sponsoring == 1
        assert [(ln.asset, ln.balance) for ln in lines] == [(f"USD:{issuer.public_key}", xlm("4"))]
        assert [(d.name, d.value) for d in data] == [("k", b"v")]
        again = run(reopened, pay)  # same envelope: same answer, never tx_bad_seq
        assert (again.tx_code, again.ledger, again.hash) == ("tx_success", paid.ledger, paid.hash)
        before = balance(reopened, issuer)
        assert submit(reopened, issuer, [ClaimClaimableBalance(balance_id)]).successful
        assert balance(reopened, issuer) == before + xlm("3") - 100
        assert reopened.latest_ledger().seq == header.seq + 1
    finally:
        reopened.close()


def test_a_database_of_another_network_is_refused(tmp_path: Path) -> None:
    StandaloneLedger.open(data_dir=tmp_path, close_interval=None).close()
    with pytest.raises(ConfigError):
        StandaloneLedger.open(
            data_dir=tmp_path,
            close_interval=None,
            network_passphrase="Test SDF Network ; September 2015",
        )


def test_garbage_envelope_is_malformed(ledger: StandaloneLedger) -> None:
    with pytest.raises(InvalidInput) as caught:
        ledger.submit("not-an-envelope")
    assert caught.value.code == "transaction_malformed"


def test_timer_closes_ledgers_and_submit_blocks_until_included(tmp_path: Path) -> None:
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=0.05)
    try:
        start = ledger.latest_ledger().seq
        alice = make_funded_account(ledger)  # submit() inside would hang without the timer
        envelope = build(
            ledger, ledger.root_keypair, [Payment(alice.public_key, Asset.native(), "1")]
        )
        result = ledger.submit(envelope.to_xdr(), timeout=10)
        assert result.successful and result.ledger is not None and result.ledger > start
        assert ledger.latest_ledger().seq >= result.ledger
        deadline = time.monotonic() + 5
        while ledger.latest_ledger().seq < result.ledger + 2:  # keeps closing empty ledgers
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        ledger.close()


@pytest.mark.postgres
def test_postgresql_backend_keeps_state_across_restarts(
    postgres_url: str, clock: FakeClock
) -> None:
    ledger = StandaloneLedger.open(database_url=postgres_url, close_interval=None, clock=clock)
    alice = make_funded_account(ledger, "25")
    envelope = build(ledger, ledger.root_keypair, [Payment(alice.public_key, Asset.native(), "5")])
    first = run(ledger, envelope)
    ledger.close()
    reopened = StandaloneLedger.open(database_url=postgres_url, close_interval=None, clock=clock)
    try:
        assert balance(reopened, alice) == xlm("30")
        assert run(reopened, envelope).ledger == first.ledger
        page = reopened.store.transactions(
            account=alice.public_key, ledger=None, cursor=None, descending=True, limit=5
        )
        assert page[0]["hash"] == first.hash
    finally:
        reopened.close()


def test_a_close_is_one_database_transaction(ledger: StandaloneLedger) -> None:
    from sqlalchemy import event

    payers = [make_funded_account(ledger) for _ in range(3)]  # one queued each, as core
    envelopes = [
        build(ledger, payer, [Payment(ledger.root_keypair.public_key, Asset.native(), "1")] * 50)
        for payer in payers
    ]
    futures = [ledger.submit_async(e.to_xdr()) for e in envelopes]
    commits: list[int] = []
    event.listen(ledger.store.engine, "commit", lambda _conn: commits.append(1))
    ledger.close_ledger()
    assert all(f.result(timeout=1).successful for f in futures)
    assert len(commits) == 1
    page = ledger.store.transactions(
        account=None, ledger=ledger.latest_ledger().seq, cursor=None, descending=True, limit=5
    )
    assert len(page) == 3


def test_unusable_data_dir_or_url_is_a_clear_error(tmp_path: Path) -> None:
    from servicelayer.errors import LedgerUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError):
        StandaloneLedger.open(data_dir=blocker / "sub", close_interval=None)
    with pytest.raises(LedgerUnavailable):
        StandaloneLedger.open(database_url="nosuchdialect://x", close_interval=None)


def test_shutdown_fails_pending_submissions_and_they_can_be_resent(
    tmp_path: Path, clock: FakeClock
) -> None:
    from servicelayer.errors import LedgerUnavailable

    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    alice = make_funded_account(ledger)
    envelope = build(ledger, alice, [Payment(ledger.root_keypair.public_key, Asset.native(), "1")])
    future = ledger.submit_async(envelope.to_xdr())
    ledger.close()
    with pytest.raises(LedgerUnavailable):
        future.result(timeout=1)
    reopened = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    try:
        before = balance(reopened, alice)  # nothing of the pending transaction was applied
        assert before == xlm("1000")
        assert run(reopened, envelope).successful
        assert balance(reopened, alice) == before - xlm("1") - 100
    finally:
        reopened.close()
