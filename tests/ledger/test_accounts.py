"""create_account, account_merge, bump_sequence, manage_data."""

from __future__ import annotations

from stellar_sdk import (
    AccountMerge,
    Asset,
    BumpSequence,
    ChangeTrust,
    CreateAccount,
    Keypair,
    ManageData,
    SetOptions,
    Signer,
)
from stellar_sdk import xdr as x
from stellar_sdk.operation.set_options import AuthorizationFlag as AF

from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import (
    BASE_FEE,
    balance,
    make_funded_account,
    seq,
    submit,
    xlm,
)


def test_create_account_funds_the_new_account(ledger: StandaloneLedger) -> None:
    alice, new = make_funded_account(ledger, "50"), Keypair.random()
    before_seq = seq(ledger, alice)
    result = submit(ledger, alice, [CreateAccount(new.public_key, "20")])
    assert result.successful and result.fee_charged == BASE_FEE
    assert balance(ledger, new) == xlm("20")
    assert balance(ledger, alice) == xlm("30") - BASE_FEE
    assert seq(ledger, alice) == before_seq + 1
    assert seq(ledger, new) == result.ledger << 32  # type: ignore[operator]


def test_create_account_below_the_minimum_balance_is_low_reserve(
    ledger: StandaloneLedger,
) -> None:
    alice, new = make_funded_account(ledger), Keypair.random()
    result = submit(ledger, alice, [CreateAccount(new.public_key, "0.9999999")])
    assert (result.tx_code, result.op_codes) == ("tx_failed", ("op_low_reserve",))
    assert ledger.account(new.public_key) is None


def test_create_account_that_exists_and_underfunded(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger, "10"), make_funded_account(ledger)
    assert submit(ledger, alice, [CreateAccount(bob.public_key, "1")]).op_codes == (
        "op_already_exists",
    )
    too_much = submit(ledger, alice, [CreateAccount(Keypair.random().public_key, "9.5")])
    assert too_much.op_codes == ("op_underfunded",)


def test_merge_moves_the_whole_balance_and_removes_the_account(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger, "30"), make_funded_account(ledger)
    before_bob = balance(ledger, bob)
    result = submit(ledger, alice, [AccountMerge(bob.public_key)])
    assert result.successful
    assert ledger.account(alice.public_key) is None
    assert balance(ledger, bob) == before_bob + xlm("30") - BASE_FEE
    decoded = x.TransactionResult.from_xdr(result.result_xdr)
    assert decoded.result.results is not None
    merge = decoded.result.results[0].tr
    assert merge is not None and merge.account_merge_result is not None
    assert merge.account_merge_result.source_account_balance == x.Int64(xlm("30") - BASE_FEE)


def test_merge_with_a_trust_line_has_sub_entries(ledger: StandaloneLedger) -> None:
    issuer, alice, bob = (make_funded_account(ledger) for _ in range(3))
    assert submit(ledger, alice, [ChangeTrust(Asset("USD", issuer.public_key))]).successful
    result = submit(ledger, alice, [AccountMerge(bob.public_key)])
    assert result.op_codes == ("op_has_sub_entries",)
    assert ledger.account(alice.public_key) is not None


def test_merge_keeps_going_with_signers_only(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    signer = Signer.ed25519_public_key(Keypair.random().public_key, 1)
    assert submit(ledger, alice, [SetOptions(signer=signer)]).successful
    assert submit(ledger, alice, [AccountMerge(bob.public_key)]).successful


def test_merge_into_a_missing_account_and_immutable_source(ledger: StandaloneLedger) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    missing = submit(ledger, alice, [AccountMerge(Keypair.random().public_key)])
    assert missing.op_codes == ("op_no_account",)
    assert submit(ledger, alice, [SetOptions(set_flags=AF.AUTHORIZATION_IMMUTABLE)]).successful
    assert submit(ledger, alice, [AccountMerge(bob.public_key)]).op_codes == ("op_immutable_set",)


def test_merge_after_bumping_into_the_current_ledger_is_seqnum_too_far(
    ledger: StandaloneLedger,
) -> None:
    alice, bob = make_funded_account(ledger), make_funded_account(ledger)
    next_ledger = ledger.latest_ledger().seq + 1
    result = submit(ledger, alice, [BumpSequence(next_ledger << 32), AccountMerge(bob.public_key)])
    assert result.op_codes == ("op_success", "op_seq_num_too_far")


def test_merge_to_self_is_malformed(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    result = submit(ledger, alice, [AccountMerge(alice.public_key)])
    assert (result.applied, result.op_codes) == (False, ("op_malformed",))


def test_bump_sequence_only_moves_forward(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    target = seq(ledger, alice) + 1000
    assert submit(ledger, alice, [BumpSequence(target)]).successful
    assert seq(ledger, alice) == target
    assert submit(ledger, alice, [BumpSequence(5)]).successful  # lower: no-op, success
    assert seq(ledger, alice) == target + 1


def test_manage_data_set_update_delete(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    assert submit(ledger, alice, [ManageData("config.memo_required", "1")]).successful
    entries = ledger.account_entries(alice.public_key)
    assert entries is not None and entries[0].num_sub_entries == 1
    assert [(d.name, d.value) for d in entries[2]] == [("config.memo_required", b"1")]
    assert submit(ledger, alice, [ManageData("config.memo_required", "0")]).successful
    assert submit(ledger, alice, [ManageData("config.memo_required", None)]).successful
    entries = ledger.account_entries(alice.public_key)
    assert entries is not None and entries[2] == [] and entries[0].num_sub_entries == 0
    result = submit(ledger, alice, [ManageData("never.set", None)])
    assert result.op_codes == ("op_data_name_not_found",)


def test_manage_data_needs_the_reserve(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger, "1.0001")
    result = submit(ledger, alice, [ManageData("k", "v")])
    assert result.op_codes == ("op_low_reserve",)
    assert balance(ledger, alice) == xlm("1.0001") - BASE_FEE
