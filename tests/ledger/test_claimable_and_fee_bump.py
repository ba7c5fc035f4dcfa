"""Claimable balances (predicates, reserves) and fee-bump transactions."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from stellar_sdk import (
    Asset,
    ChangeTrust,
    Claimant,
    ClaimClaimableBalance,
    ClaimPredicate,
    CreateClaimableBalance,
    FeeBumpTransaction,
    FeeBumpTransactionEnvelope,
    Keypair,
    Payment,
    TransactionBuilder,
)

from testnet.ledger import StandaloneLedger
from testnet.ledger.store import MIGRATIONS_DIR
from tests.ledger.helpers import (
    BASE_FEE,
    BASE_RESERVE,
    FakeClock,
    balance,
    build,
    issue,
    line_balance,
    make_funded_account,
    run,
    seq,
    submit,
    xlm,
)


def _create(
    ledger: StandaloneLedger,
    source: Keypair,
    claimants: list[Claimant],
    asset: Asset | None = None,
    amount: str = "10",
) -> tuple[str, object]:
    envelope = build(
        ledger, source, [CreateClaimableBalance(asset or Asset.native(), amount, claimants)]
    )
    result = run(ledger, envelope)
    return envelope.transaction.get_claimable_balance_id(0), result


def test_create_and_claim_native_balance(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    balance_id, result = _create(ledger, alice, [Claimant(bob.public_key)])
    assert result.successful
    account = ledger.account(alice.public_key)
    assert account is not None and account.num_sponsoring == 1
    assert balance(ledger, alice) == xlm("990") - BASE_FEE
    stored = ledger.claimable_balance(balance_id)
    assert stored is not None and stored.amount == xlm("10")  # id computed like stellar-core
    before_bob = balance(ledger, bob)
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).successful
    assert balance(ledger, bob) == before_bob + xlm("10") - BASE_FEE
    account = ledger.account(alice.public_key)
    assert account is not None and account.num_sponsoring == 0
    assert ledger.claimable_balance(balance_id) is None


def test_only_a_claimant_can_claim(ledger: StandaloneLedger) -> None:
    alice, bob, eve = (make_funded_account(ledger) for _ in range(3))
    balance_id, _ = _create(ledger, alice, [Claimant(bob.public_key)])
    assert submit(ledger, eve, [ClaimClaimableBalance(balance_id)]).op_codes == ("op_cannot_claim",)
    gone = "00000000" + "ab" * 32
    assert submit(ledger, bob, [ClaimClaimableBalance(gone)]).op_codes == ("op_does_not_exist",)


def test_relative_time_predicate_expires(ledger: StandaloneLedger, clock: FakeClock) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    claimant = Claimant(bob.public_key, ClaimPredicate.predicate_before_relative_time(60))
    balance_id, _ = _create(ledger, alice, [claimant])
    clock.advance(61)
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).op_codes == ("op_cannot_claim",)


def test_not_before_predicate_waits_for_its_time(
    ledger: StandaloneLedger, clock: FakeClock
) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    unlock = int(clock()) + 3600
    predicate = ClaimPredicate.predicate_not(ClaimPredicate.predicate_before_absolute_time(unlock))
    balance_id, _ = _create(ledger, alice, [Claimant(bob.public_key, predicate)])
    early = submit(ledger, bob, [ClaimClaimableBalance(balance_id)])
    assert early.op_codes == ("op_cannot_claim",)
    clock.advance(3600)
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).successful


def test_and_or_predicates(ledger: StandaloneLedger, clock: FakeClock) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    now = int(clock())
    either = ClaimPredicate.predicate_or(
        ClaimPredicate.predicate_before_absolute_time(now - 1),
        ClaimPredicate.predicate_and(
            ClaimPredicate.predicate_unconditional(),
            ClaimPredicate.predicate_before_relative_time(100),
        ),
    )
    balance_id, _ = _create(ledger, alice, [Claimant(bob.public_key, either)])
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).successful


def test_each_claimant_costs_a_base_reserve(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger, "3")
    claimants = [Claimant(Keypair.random().public_key) for _ in range(3)]
    # 3 XLM - fee - 1 XLM amount leaves < (2 + 3) * 0.5 XLM
    _, result = _create(ledger, alice, claimants, amount="1")
    assert result.op_codes == ("op_low_reserve",)
    assert balance(ledger, alice) == xlm("3") - BASE_FEE
    assert xlm("2") < 5 * BASE_RESERVE


def test_credit_claimable_balance_needs_trust_both_ways(ledger: StandaloneLedger) -> None:
    issuer, alice, bob = (make_funded_account(ledger) for _ in range(3))
    usd = Asset("USD", issuer.public_key)
    _, no_trust = _create(ledger, alice, [Claimant(bob.public_key)], usd, "1")
    assert no_trust.op_codes == ("op_no_trust",)
    issue(ledger, issuer, alice, usd, "5")
    balance_id, ok = _create(ledger, alice, [Claimant(bob.public_key)], usd, "2")
    assert ok.successful and line_balance(ledger, alice, usd) == xlm("3")
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).op_codes == ("op_no_trust",)
    assert submit(ledger, bob, [ChangeTrust(usd)]).successful
    assert submit(ledger, bob, [ClaimClaimableBalance(balance_id)]).successful
    assert line_balance(ledger, bob, usd) == xlm("2")


def _fee_bump(ledger: StandaloneLedger, payer: Keypair, inner_xdr: object, fee: int) -> str:
    """A fee bump paying ``fee`` per operation (the sdk counts the bump as one more)."""
    envelope = TransactionBuilder.build_fee_bump_transaction(
        payer.public_key,
        fee,
        inner_xdr,
        ledger.network_passphrase,  # type: ignore[arg-type]
    )
    envelope.sign(payer)
    return envelope.to_xdr()


def test_fee_bump_charges_the_fee_source(ledger: StandaloneLedger) -> None:
    alice, sponsor, bob = (make_funded_account(ledger) for _ in range(3))
    inner = build(ledger, alice, [Payment(bob.public_key, Asset.native(), "3")], fee=0)
    before_alice, before_sponsor, before_seq = (
        balance(ledger, alice),
        balance(ledger, sponsor),
        seq(ledger, alice),
    )
    result = run(ledger, _fee_bump(ledger, sponsor, inner, 500))
    assert (result.tx_code, result.op_codes) == ("tx_fee_bump_inner_success", ("op_success",))
    assert result.fee_charged == 2 * BASE_FEE  # (1 op + 1) x base fee, not the 2 x 500 bid
    assert balance(ledger, sponsor) == before_sponsor - 2 * BASE_FEE
    assert balance(ledger, alice) == before_alice - xlm("3")
    assert seq(ledger, alice) == before_seq + 1


def test_fee_bump_with_failing_inner_still_charges(ledger: StandaloneLedger) -> None:
    alice, sponsor = make_funded_account(ledger), make_funded_account(ledger)
    inner = build(ledger, alice, [Payment(Keypair.random().public_key, Asset.native(), "3")])
    before_sponsor, before_seq = balance(ledger, sponsor), seq(ledger, alice)
    result = run(ledger, _fee_bump(ledger, sponsor, inner, 200))
    assert (result.tx_code, result.inner_tx_code, result.op_codes) == (
        "tx_fee_bump_inner_failed",
        "tx_failed",
        ("op_no_destination",),
    )
    assert balance(ledger, sponsor) == before_sponsor - 2 * BASE_FEE
    assert seq(ledger, alice) == before_seq + 1


def test_fee_bump_below_the_minimum_is_rejected(ledger: StandaloneLedger) -> None:
    alice, sponsor, bob = (make_funded_account(ledger) for _ in range(3))
    inner = build(ledger, alice, [Payment(bob.public_key, Asset.native(), "3")], fee=50)
    bump = FeeBumpTransactionEnvelope(
        FeeBumpTransaction(sponsor.public_key, 199, inner), ledger.network_passphrase
    )  # 199 < (1 op + 1) x 100
    bump.sign(sponsor)
    before = balance(ledger, sponsor)
    result = run(ledger, bump)
    assert (result.applied, result.tx_code) == (False, "tx_insufficient_fee")
    assert balance(ledger, sponsor) == before


def test_fee_bump_with_bad_inner_sequence_is_rejected(ledger: StandaloneLedger) -> None:
    alice, sponsor, bob = (make_funded_account(ledger) for _ in range(3))
    inner = build(
        ledger, alice, [Payment(bob.public_key, Asset.native(), "3")], seq=seq(ledger, alice) + 5
    )
    result = run(ledger, _fee_bump(ledger, sponsor, inner, 400))
    assert (result.applied, result.tx_code, result.inner_tx_code) == (
        False,
        "tx_fee_bump_inner_failed",
        "tx_bad_seq",
    )


def test_a_fee_bump_is_found_by_its_inner_hash_also_after_the_schema_upgrade(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Horizon finds a fee bump by its inner hash; ledger_0003 indexes the inner hashes of
    the fee bumps a database stored before it."""
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    alice, sponsor, bob = (make_funded_account(ledger) for _ in range(3))
    inner = build(ledger, alice, [Payment(bob.public_key, Asset.native(), "3")], fee=0)
    outer = _fee_bump(ledger, sponsor, inner, 500)
    assert run(ledger, outer).successful
    inner_hash = inner.hash_hex()
    found = ledger.store.transaction(inner_hash, inner=True)
    assert found is not None and found["inner_transaction"]["hash"] == inner_hash
    assert ledger.store.transaction(inner_hash) is None  # a submission's own lookup: exact
    ledger.close()

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["url"] = url
    command.downgrade(config, "ledger_0002")
    command.upgrade(config, "head")
    reopened = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    try:
        again = reopened.store.transaction(inner_hash, inner=True)
        assert again is not None and again["hash"] == found["hash"]
    finally:
        reopened.close()
