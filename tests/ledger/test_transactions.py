"""Transaction-level rules: sequence numbers, time bounds, fees, signatures, thresholds."""

from __future__ import annotations

from stellar_sdk import Asset, Keypair, Network, Payment, SetOptions, Signer, TransactionBuilder
from stellar_sdk import xdr as x

from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import (
    BASE_FEE,
    FakeClock,
    balance,
    build,
    make_funded_account,
    run,
    seq,
    submit,
    xlm,
)


def _pay(to: Keypair, amount: str = "1") -> Payment:
    return Payment(to.public_key, Asset.native(), amount)


def _assert_rejected(
    ledger: StandaloneLedger, kp: Keypair, result: object, code: str, before: tuple[int, int]
) -> None:
    assert result.applied is False
    assert result.tx_code == code
    assert result.fee_charged == 0
    assert (balance(ledger, kp), seq(ledger, kp)) == before


def test_root_account_is_derived_from_the_passphrase_and_holds_all_lumens(
    ledger: StandaloneLedger,
) -> None:
    network_id = Network(ledger.network_passphrase).network_id()
    root = Keypair.from_raw_ed25519_seed(network_id)
    account = ledger.account(root.public_key)
    assert account is not None and account.balance == 10**18 and account.seq_num == 0
    assert ledger.network_passphrase == "Standalone Network ; February 2017"


def test_new_account_sequence_starts_at_ledger_shifted_32(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    account = ledger.account(alice.public_key)
    assert account is not None
    assert account.seq_num == account.last_modified_ledger << 32


def test_bad_sequence_is_rejected_without_fee(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before = (balance(ledger, alice), seq(ledger, alice))
    result = run(ledger, build(ledger, alice, [_pay(bob)], seq=seq(ledger, alice) + 1))
    _assert_rejected(ledger, alice, result, "tx_bad_seq", before)


def test_time_bounds_too_early_and_too_late(ledger: StandaloneLedger, clock: FakeClock) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    now = int(clock())
    before = (balance(ledger, alice), seq(ledger, alice))
    early = run(ledger, build(ledger, alice, [_pay(bob)], time_bounds=(now + 100, 0)))
    _assert_rejected(ledger, alice, early, "tx_too_early", before)
    late = run(ledger, build(ledger, alice, [_pay(bob)], time_bounds=(0, now - 1)))
    _assert_rejected(ledger, alice, late, "tx_too_late", before)
    ok = run(ledger, build(ledger, alice, [_pay(bob)], time_bounds=(now - 10, now + 10)))
    assert ok.successful


def test_fee_below_base_fee_per_operation_is_rejected(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before = (balance(ledger, alice), seq(ledger, alice))
    result = run(ledger, build(ledger, alice, [_pay(bob), _pay(bob)], fee=99))
    _assert_rejected(ledger, alice, result, "tx_insufficient_fee", before)


def test_fee_charged_is_base_fee_times_operations_not_the_bid(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before = balance(ledger, alice)
    result = run(ledger, build(ledger, alice, [_pay(bob), _pay(bob)], fee=5000))
    assert result.successful and result.fee_charged == 2 * BASE_FEE
    assert balance(ledger, alice) == before - xlm("2") - 2 * BASE_FEE
    envelope = x.TransactionEnvelope.from_xdr(result.envelope_xdr)
    assert envelope.v1 is not None and envelope.v1.tx.fee.uint32 == 10_000


def test_missing_source_account_is_rejected(ledger: StandaloneLedger) -> None:
    ghost, bob = Keypair.random(), make_funded_account(ledger)
    result = run(ledger, build(ledger, ghost, [_pay(bob)], seq=1))
    assert (result.applied, result.tx_code) == (False, "tx_no_source_account")


def test_wrong_signature_is_bad_auth(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before = (balance(ledger, alice), seq(ledger, alice))
    result = run(ledger, build(ledger, alice, [_pay(bob)], signers=[Keypair.random()]))
    _assert_rejected(ledger, alice, result, "tx_bad_auth", before)


def test_signature_for_another_network_is_bad_auth(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    from stellar_sdk import Account as SdkAccount

    envelope = (
        TransactionBuilder(
            SdkAccount(alice.public_key, seq(ledger, alice)),
            Network.TESTNET_NETWORK_PASSPHRASE,
            base_fee=100,
        )
        .append_operation(_pay(bob))
        .add_time_bounds(0, 0)
        .build()
    )
    envelope.sign(alice)
    assert run(ledger, envelope).tx_code == "tx_bad_auth"


def test_unneeded_extra_signature_is_bad_auth_extra(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    before = (balance(ledger, alice), seq(ledger, alice))
    result = run(ledger, build(ledger, alice, [_pay(bob)], signers=[alice, Keypair.random()]))
    _assert_rejected(ledger, alice, result, "tx_bad_auth_extra", before)


def test_fee_that_would_break_the_reserve_is_insufficient_balance(
    ledger: StandaloneLedger,
) -> None:
    alice = make_funded_account(ledger, "1")  # exactly the 2-entry reserve
    before = (balance(ledger, alice), seq(ledger, alice))
    result = run(ledger, build(ledger, alice, [SetOptions(home_domain="a.example")]))
    _assert_rejected(ledger, alice, result, "tx_insufficient_balance", before)


def test_medium_threshold_needs_enough_signer_weight(ledger: StandaloneLedger) -> None:
    alice, bob, cosigner = (
        make_funded_account(ledger),
        make_funded_account(ledger),
        Keypair.random(),
    )
    setup = SetOptions(
        signer=Signer.ed25519_public_key(cosigner.public_key, 1),
        low_threshold=1,
        med_threshold=2,
        high_threshold=2,
    )
    assert submit(ledger, alice, [setup]).successful
    before = (balance(ledger, alice), seq(ledger, alice))
    alone = run(ledger, build(ledger, alice, [_pay(bob)]))
    _assert_rejected(ledger, alice, alone, "tx_failed", before)
    assert alone.op_codes == ("op_bad_auth",)
    both = run(ledger, build(ledger, alice, [_pay(bob)], signers=[alice, cosigner]))
    assert both.successful and balance(ledger, alice) == before[0] - xlm("1") - BASE_FEE


def test_two_of_three_with_master_weight_zero(ledger: StandaloneLedger) -> None:
    treasury, bob = make_funded_account(ledger), make_funded_account(ledger)
    v1, v2, v3 = Keypair.random(), Keypair.random(), Keypair.random()
    ops = [SetOptions(signer=Signer.ed25519_public_key(v.public_key, 1)) for v in (v1, v2, v3)]
    ops.append(SetOptions(master_weight=0, low_threshold=2, med_threshold=2, high_threshold=2))
    assert submit(ledger, treasury, ops).successful
    account = ledger.account(treasury.public_key)
    assert account is not None and account.num_sub_entries == 3
    one = run(ledger, build(ledger, treasury, [_pay(bob)], signers=[v1]))
    assert (one.applied, one.tx_code) == (False, "tx_bad_auth")
    master = run(ledger, build(ledger, treasury, [_pay(bob)], signers=[treasury, v1]))
    assert master.tx_code == "tx_bad_auth"
    two = run(ledger, build(ledger, treasury, [_pay(bob)], signers=[v3, v1]))
    assert two.successful


def test_high_threshold_operation_needs_high_weight(ledger: StandaloneLedger) -> None:
    alice, cosigner = make_funded_account(ledger), Keypair.random()
    setup = SetOptions(
        signer=Signer.ed25519_public_key(cosigner.public_key, 1), med_threshold=1, high_threshold=2
    )
    assert submit(ledger, alice, [setup]).successful
    result = submit(ledger, alice, [SetOptions(high_threshold=1)])
    assert (result.applied, result.op_codes) == (False, ("op_bad_auth",))
    assert submit(ledger, alice, [SetOptions(home_domain="ok.example")]).successful
    assert submit(
        ledger, alice, [SetOptions(high_threshold=1)], signers=[alice, cosigner]
    ).successful


def test_operation_with_other_source_needs_that_accounts_signature(
    ledger: StandaloneLedger,
) -> None:
    alice, bob, carol = (make_funded_account(ledger) for _ in range(3))
    op = Payment(carol.public_key, Asset.native(), "5", source=bob.public_key)
    missing = submit(ledger, alice, [op])
    assert (missing.applied, missing.op_codes) == (False, ("op_bad_auth",))
    before_bob = balance(ledger, bob)
    ok = submit(ledger, alice, [op], signers=[alice, bob])
    assert ok.successful and balance(ledger, bob) == before_bob - xlm("5")


def test_resubmitting_the_same_envelope_returns_the_same_result(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    envelope = build(ledger, alice, [_pay(bob)])
    first = run(ledger, envelope)
    again = run(ledger, envelope)
    assert again.tx_code == "tx_success" and again.hash == first.hash
    assert again.ledger == first.ledger and again.result_xdr == first.result_xdr
    assert balance(ledger, bob) == xlm("1001")


def test_unsupported_operation_is_op_not_supported(ledger: StandaloneLedger) -> None:
    from stellar_sdk import ManageSellOffer

    alice = make_funded_account(ledger)
    offer = ManageSellOffer(Asset.native(), Asset("USD", alice.public_key), "1", "1")
    result = submit(ledger, alice, [offer])
    assert (result.applied, result.tx_code, result.op_codes) == (
        False,
        "tx_failed",
        ("op_not_supported",),
    )


def test_result_xdr_is_a_real_transaction_result(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    envelope = build(ledger, alice, [_pay(bob), _pay(Keypair.random())])
    result = run(ledger, envelope)
    assert result.hash == envelope.hash_hex()
    decoded = x.TransactionResult.from_xdr(result.result_xdr)
    assert decoded.fee_charged.int64 == 200
    assert decoded.result.code == x.TransactionResultCode.txFAILED
    assert decoded.result.results is not None
    codes = [
        r.tr.payment_result.code for r in decoded.result.results if r.tr and r.tr.payment_result
    ]
    assert codes == [
        x.PaymentResultCode.PAYMENT_SUCCESS,
        x.PaymentResultCode.PAYMENT_NO_DESTINATION,
    ]


def test_pre_authorized_transaction_needs_no_signature_and_is_used_once(
    ledger: StandaloneLedger,
) -> None:
    from stellar_sdk import Account as SdkAccount

    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    current = seq(ledger, alice)
    later = (
        TransactionBuilder(
            SdkAccount(alice.public_key, current + 1), ledger.network_passphrase, base_fee=100
        )
        .append_operation(_pay(bob, "2"))
        .add_time_bounds(0, 0)
        .build()
    )
    signer = Signer.pre_auth_tx(later.hash(), 1)
    assert submit(ledger, alice, [SetOptions(signer=signer)]).successful
    account = ledger.account(alice.public_key)
    assert account is not None and account.num_sub_entries == 1
    result = run(ledger, later)  # no signature at all
    assert result.successful
    account = ledger.account(alice.public_key)
    assert account is not None and account.signers == () and account.num_sub_entries == 0


def test_hash_x_signer_accepts_the_preimage(ledger: StandaloneLedger) -> None:
    import hashlib

    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    preimage = b"open sesame"
    signer = Signer.sha256_hash(hashlib.sha256(preimage).digest(), 1)
    assert submit(ledger, alice, [SetOptions(signer=signer)]).successful
    envelope = build(ledger, alice, [_pay(bob)], signers=[])
    envelope.sign_hashx(preimage)
    assert run(ledger, envelope).successful
    wrong = build(ledger, alice, [_pay(bob)], signers=[])
    wrong.sign_hashx(b"guess")
    assert run(ledger, wrong).tx_code == "tx_bad_auth"


def _builder(ledger: StandaloneLedger, kp: Keypair, seq_num: int) -> TransactionBuilder:
    from stellar_sdk import Account as SdkAccount

    return TransactionBuilder(
        SdkAccount(kp.public_key, seq_num), ledger.network_passphrase, base_fee=100
    ).add_time_bounds(0, 0)


def test_ledger_bounds_are_checked_against_the_closing_ledger(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    closing = ledger.latest_ledger().seq + 1
    before = (balance(ledger, alice), seq(ledger, alice))
    for (low, high), code in (((closing + 1, 0), "tx_too_early"), ((0, closing), "tx_too_late")):
        envelope = (
            _builder(ledger, alice, seq(ledger, alice))
            .append_operation(_pay(bob))
            .set_ledger_bounds(low, high)
            .build()
        )
        envelope.sign(alice)
        _assert_rejected(ledger, alice, run(ledger, envelope), code, before)
    ok = _builder(ledger, alice, seq(ledger, alice)).append_operation(_pay(bob))
    envelope = ok.set_ledger_bounds(closing, closing + 1).build()
    envelope.sign(alice)
    assert run(ledger, envelope).successful


def test_min_sequence_number_allows_a_gap(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    current = seq(ledger, alice)
    plain = build(ledger, alice, [_pay(bob)], seq=current + 4)
    assert run(ledger, plain).tx_code == "tx_bad_seq"
    relaxed = (
        _builder(ledger, alice, current + 4)
        .append_operation(_pay(bob))
        .set_min_sequence_number(current)
        .build()
    )
    relaxed.sign(alice)
    assert run(ledger, relaxed).successful
    assert seq(ledger, alice) == current + 5


def test_min_sequence_age_waits_after_the_last_bump(
    ledger: StandaloneLedger, clock: FakeClock
) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    assert submit(ledger, alice, [_pay(bob)]).successful  # moves alice's seq now
    aged = (
        _builder(ledger, alice, seq(ledger, alice))
        .append_operation(_pay(bob))
        .set_min_sequence_age(60)
        .build()
    )
    aged.sign(alice)
    assert run(ledger, aged).tx_code == "tx_bad_minseq_age_or_gap"
    clock.advance(60)
    assert run(ledger, aged).successful


def test_extra_signer_must_sign(ledger: StandaloneLedger) -> None:
    from stellar_sdk import SignerKey

    alice, bob, notary = make_funded_account(ledger), make_funded_account(ledger), Keypair.random()
    envelope = (
        _builder(ledger, alice, seq(ledger, alice))
        .append_operation(_pay(bob))
        .add_extra_signer(SignerKey.ed25519_public_key(notary.public_key))
        .build()
    )
    envelope.sign(alice)
    assert run(ledger, envelope).tx_code == "tx_bad_auth"
    envelope.sign(notary)
    assert run(ledger, envelope).successful


def test_an_operation_of_a_missing_account_needs_that_accounts_signature(
    ledger: StandaloneLedger,
) -> None:
    """stellar-core's OperationFrame::checkSignature: an operation whose own source does
    not exist is refused at validation with op_bad_auth unless that key signed it; signed,
    it is valid, and applied it fails op_no_source_account."""
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    ghost = Keypair.random()
    pay = Payment(bob.public_key, Asset.native(), "1", source=ghost.public_key)
    unsigned = run(ledger, build(ledger, alice, [pay]))
    assert (unsigned.tx_code, unsigned.op_codes) == ("tx_failed", ("op_bad_auth",))
    signed = run(ledger, build(ledger, alice, [pay], signers=[alice, ghost]))
    assert (signed.tx_code, signed.op_codes) == ("tx_failed", ("op_no_source_account",))
    assert signed.ledger is not None  # applied in a ledger (its fee charged), not refused
