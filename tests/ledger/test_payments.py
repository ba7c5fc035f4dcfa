"""Payments, with stellar-core's order of checks (destination side before source side)."""

from __future__ import annotations

from stellar_sdk import Asset, ChangeTrust, CreateAccount, Keypair, Payment, SetOptions
from stellar_sdk.operation.set_options import AuthorizationFlag

from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import (
    BASE_FEE,
    amount,
    balance,
    issue,
    line_balance,
    make_funded_account,
    seq,
    submit,
    xlm,
)


def test_native_payment_moves_exact_amount_and_charges_base_fee(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before_a, before_b, before_seq = (
        balance(ledger, alice),
        balance(ledger, bob),
        seq(ledger, alice),
    )
    result = submit(ledger, alice, [Payment(bob.public_key, Asset.native(), "12.5")])
    assert (result.tx_code, result.op_codes, result.fee_charged) == (
        "tx_success",
        ("op_success",),
        100,
    )
    assert balance(ledger, alice) == before_a - xlm("12.5") - BASE_FEE
    assert balance(ledger, bob) == before_b + xlm("12.5")
    assert seq(ledger, alice) == before_seq + 1


def test_payment_to_missing_account_fails_but_fee_and_seq_are_taken(
    ledger: StandaloneLedger,
) -> None:
    alice = make_funded_account(ledger)
    before, before_seq = balance(ledger, alice), seq(ledger, alice)
    result = submit(ledger, alice, [Payment(Keypair.random().public_key, Asset.native(), "1")])
    assert result.applied and not result.successful
    assert (result.tx_code, result.op_codes) == ("tx_failed", ("op_no_destination",))
    assert balance(ledger, alice) == before - BASE_FEE
    assert seq(ledger, alice) == before_seq + 1


def test_native_payment_cannot_dip_into_the_reserve(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger, "10"), make_funded_account(ledger)
    # 10 XLM, reserve (2 + 0) * 0.5 = 1 XLM, fee 100 stroops taken first
    too_much = submit(ledger, alice, [Payment(bob.public_key, Asset.native(), "9")])
    assert too_much.op_codes == ("op_underfunded",)
    spendable = amount(balance(ledger, alice) - BASE_FEE - 2 * 5_000_000)
    exact = submit(ledger, alice, [Payment(bob.public_key, Asset.native(), spendable)])
    assert exact.successful
    assert balance(ledger, alice) == 2 * 5_000_000


def test_sending_lumens_to_oneself_only_costs_the_fee(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    before = balance(ledger, alice)
    result = submit(ledger, alice, [Payment(alice.public_key, Asset.native(), "999999")])
    assert result.successful  # stellar-core: native self payment succeeds at once
    assert balance(ledger, alice) == before - BASE_FEE


def test_credit_payment_needs_destination_trust_line(ledger: StandaloneLedger) -> None:
    issuer, alice, bob = (make_funded_account(ledger) for _ in range(3))
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "100")
    result = submit(ledger, alice, [Payment(bob.public_key, usd, "5")])
    assert result.op_codes == ("op_no_trust",)
    assert line_balance(ledger, alice, usd) == xlm("100")


def test_destination_checked_before_source(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    # alice has no USD trust line (source problem) AND the destination does not exist
    result = submit(ledger, alice, [Payment(Keypair.random().public_key, usd, "5")])
    assert result.op_codes == ("op_no_destination",)


def test_destination_trust_checked_before_source_trust(ledger: StandaloneLedger) -> None:
    issuer, alice, bob = (make_funded_account(ledger) for _ in range(3))
    usd = Asset("USD", issuer.public_key)
    # neither alice (source) nor bob (destination) trusts USD: the destination is reported
    result = submit(ledger, alice, [Payment(bob.public_key, usd, "5")])
    assert result.op_codes == ("op_no_trust",)
    assert submit(ledger, bob, [ChangeTrust(usd)]).successful
    result = submit(ledger, alice, [Payment(bob.public_key, usd, "5")])
    assert result.op_codes == ("op_src_no_trust",)


def test_source_without_enough_credit_is_underfunded(ledger: StandaloneLedger) -> None:
    issuer, alice, bob = (make_funded_account(ledger) for _ in range(3))
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "3")
    issue(ledger, issuer, bob, usd, "0")
    result = submit(ledger, alice, [Payment(bob.public_key, usd, "3.0000001")])
    assert result.op_codes == ("op_underfunded",)
    assert submit(ledger, alice, [Payment(bob.public_key, usd, "3")]).successful
    assert (line_balance(ledger, alice, usd), line_balance(ledger, bob, usd)) == (0, xlm("3"))


def test_authorization_required_blocks_both_sides(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    flags = AuthorizationFlag.AUTHORIZATION_REQUIRED | AuthorizationFlag.AUTHORIZATION_REVOCABLE
    assert submit(ledger, issuer, [SetOptions(set_flags=flags)]).successful
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd)]).successful
    result = submit(ledger, issuer, [Payment(alice.public_key, usd, "1")])
    assert result.op_codes == ("op_not_authorized",)
    # source side: alice holds nothing and is not authorized to send back either
    result = submit(ledger, alice, [Payment(issuer.public_key, usd, "1")])
    assert result.op_codes == ("op_src_not_authorized",)


def test_issuer_needs_no_trust_line_and_gets_its_asset_back(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "50")
    assert ledger.trustline(issuer.public_key, f"USD:{issuer.public_key}") is None
    assert submit(ledger, alice, [Payment(issuer.public_key, usd, "20")]).successful
    assert line_balance(ledger, alice, usd) == xlm("30")


def test_payment_above_the_trust_limit_is_line_full(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd, "10")]).successful
    assert submit(ledger, issuer, [Payment(alice.public_key, usd, "10.0000001")]).op_codes == (
        "op_line_full",
    )
    assert submit(ledger, issuer, [Payment(alice.public_key, usd, "10")]).successful


def test_transaction_is_atomic_when_a_later_operation_fails(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger, "100"), make_funded_account(ledger)
    before_a, before_b = balance(ledger, alice), balance(ledger, bob)
    result = submit(
        ledger,
        alice,
        [
            Payment(bob.public_key, Asset.native(), "10"),
            Payment(bob.public_key, Asset.native(), "1000"),
        ],
    )
    assert (result.tx_code, result.op_codes) == ("tx_failed", ("op_success", "op_underfunded"))
    assert result.fee_charged == 2 * BASE_FEE
    assert balance(ledger, alice) == before_a - 2 * BASE_FEE
    assert balance(ledger, bob) == before_b


def test_hundred_payments_in_one_transaction(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger, "10000")
    payees = [Keypair.random().public_key for _ in range(100)]
    result = submit(ledger, alice, [CreateAccount(p, "2") for p in payees])
    assert result.successful and result.fee_charged == 100 * BASE_FEE
    assert all(ledger.account(p) is not None for p in payees)
    assert balance(ledger, alice) == xlm("10000") - xlm("200") - 100 * BASE_FEE


def test_operations_after_a_failed_one_still_report_their_codes(
    ledger: StandaloneLedger,
) -> None:
    alice, bob = make_funded_account(ledger, "100"), make_funded_account(ledger)
    before_b = balance(ledger, bob)
    ghost = Keypair.random().public_key
    result = submit(
        ledger,
        alice,
        [
            Payment(ghost, Asset.native(), "1"),
            Payment(bob.public_key, Asset.native(), "1"),
            Payment(bob.public_key, Asset.native(), "500"),
        ],
    )
    assert result.op_codes == ("op_no_destination", "op_success", "op_underfunded")
    assert balance(ledger, bob) == before_b
