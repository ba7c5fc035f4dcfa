"""Known answers: each fast path of the engine gives exactly what the general path gives.

The envelope decoder against stellar_sdk's, result bytes against packing the XDR objects,
result codes against decoding them, a payment's record and an account's stored body
against json.dumps.
"""

from __future__ import annotations

import base64
import json

import pytest
from stellar_sdk import (
    Account,
    Asset,
    Keypair,
    MuxedAccount,
    Network,
    TransactionBuilder,
)
from stellar_sdk import xdr as x

from servicelayer.errors import InvalidInput
from testnet.ledger import records
from testnet.ledger.apply import TxOutcome
from testnet.ledger.decoding import decode_v1
from testnet.ledger.frame import network_id, parse_envelope
from testnet.ledger.ops import OpResult
from testnet.ledger.payment_records import payment_record_json
from testnet.ledger.results import (
    InnerOutcome,
    inner_result_codes,
    result_codes,
    transaction_result,
    transaction_result_bytes,
)
from testnet.ledger.state import Account as Account_
from testnet.ledger.state import Signer
from testnet.ledger.store import entry_from_json, entry_to_json

PASSPHRASE = Network.STANDALONE_NETWORK_PASSPHRASE
SOURCE = Keypair.from_raw_ed25519_seed(b"\x01" * 32)
TREASURY = Keypair.from_raw_ed25519_seed(b"\x02" * 32)
PAYEE = Keypair.from_raw_ed25519_seed(b"\x03" * 32).public_key
ISSUER = Keypair.from_raw_ed25519_seed(b"\x04" * 32).public_key
_T = x.OperationType


def envelope(ops: str, memo: bool = False) -> str:
    builder = TransactionBuilder(Account(SOURCE.public_key, 41), PASSPHRASE, base_fee=100)
    builder.add_time_bounds(0, 0)
    if memo:
        builder.add_text_memo("chunk 7")
    for kind in ops:
        if kind == "n":
            builder.append_payment_op(PAYEE, Asset.native(), "1.5")
        elif kind == "4":
            builder.append_payment_op(PAYEE, Asset("USD", ISSUER), "0.0000001", TREASURY.public_key)
        elif kind == "c":
            builder.append_payment_op(PAYEE, Asset("LONGERCODE12", ISSUER), "922337203685.4775807")
        elif kind == "m":
            builder.append_payment_op(
                MuxedAccount(PAYEE, 7).account_muxed or PAYEE, Asset.native(), "2"
            )
        elif kind == "a":
            builder.append_create_account_op(PAYEE, "10")
        elif kind == "s":
            builder.append_set_options_op(home_domain="example.org", source=TREASURY.public_key)
    env = builder.build()
    env.sign(SOURCE)
    env.sign(TREASURY)
    return env.to_xdr()


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param("n", id="native payment"),
        pytest.param("4", id="alphanum4 payment with an operation source"),
        pytest.param("c", id="alphanum12 payment, largest amount"),
        pytest.param("m", id="multiplexed destination (general path)"),
        pytest.param("an4sc" * 20, id="100 mixed operations"),
    ],
)
@pytest.mark.parametrize("memo", [False, True], ids=["no memo", "text memo"])
def test_the_decoder_gives_what_stellar_sdk_decodes(ops: str, memo: bool) -> None:
    xdr = envelope(ops, memo)
    sdk = x.TransactionEnvelope.from_xdr(xdr).v1
    assert sdk is not None
    decoded = decode_v1(xdr)
    assert decoded is not None
    tx, signatures, tx_bytes = decoded
    assert tx == sdk.tx
    assert signatures == sdk.signatures
    assert tx_bytes == sdk.tx.to_xdr_bytes()
    frame = parse_envelope(xdr, network_id(PASSPHRASE))
    sdk_hash = TransactionBuilder.from_xdr(xdr, PASSPHRASE).hash()  # type: ignore[union-attr]
    assert frame.hash == sdk_hash


def test_anything_else_goes_to_stellar_sdk_which_names_the_error() -> None:
    xdr = envelope("nn")
    raw = base64.b64decode(xdr)
    assert decode_v1(base64.b64encode(raw[:-3]).decode()) is None
    assert decode_v1(base64.b64encode(raw + b"\x00\x00\x00\x00").decode()) is None
    assert decode_v1("not base64 at all!") is None
    with pytest.raises(InvalidInput) as caught:
        parse_envelope(base64.b64encode(raw[:200]).decode(), network_id(PASSPHRASE))
    assert caught.value.code == "transaction_malformed"


def _inner(code: str, results: list[tuple[x.OperationType, OpResult]]) -> InnerOutcome:
    return InnerOutcome(code, tuple(t for t, _ in results), tuple(r for _, r in results))


BALANCE_ID = "00000000" + "ab" * 32
OUTCOMES = [
    pytest.param(_inner("txSUCCESS", [(_T.PAYMENT, OpResult("PAYMENT_SUCCESS"))] * 3), id="paid"),
    pytest.param(
        _inner(
            "txFAILED",
            [
                (_T.PAYMENT, OpResult("PAYMENT_SUCCESS")),
                (_T.PAYMENT, OpResult("PAYMENT_NO_TRUST")),
                (_T.SET_OPTIONS, OpResult("opBAD_AUTH")),
                (_T.CREATE_ACCOUNT, OpResult("opNO_ACCOUNT")),
            ],
        ),
        id="failed",
    ),
    pytest.param(
        _inner(
            "txSUCCESS",
            [
                (
                    _T.CREATE_CLAIMABLE_BALANCE,
                    OpResult("CREATE_CLAIMABLE_BALANCE_SUCCESS", BALANCE_ID),
                ),
                (_T.ACCOUNT_MERGE, OpResult("ACCOUNT_MERGE_SUCCESS", merged_balance=12345)),
            ],
        ),
        id="results with payloads",
    ),
    pytest.param(_inner("txBAD_SEQ", [(_T.PAYMENT, OpResult("PAYMENT_SUCCESS"))]), id="rejected"),
]


@pytest.mark.parametrize("inner", OUTCOMES)
def test_result_bytes_and_codes_match_the_xdr(inner: InnerOutcome) -> None:
    expected = transaction_result(300, inner)
    assert transaction_result_bytes(300, inner) == expected.to_xdr_bytes()
    assert inner_result_codes(inner) == result_codes(expected)


@pytest.mark.parametrize("successful", [True, False], ids=["successful", "failed"])
@pytest.mark.parametrize("kind", ["n", "4", "c"], ids=["native", "alphanum4", "alphanum12"])
def test_a_payment_record_is_the_json_of_the_general_record(kind: str, successful: bool) -> None:
    frame = parse_envelope(envelope(kind * 2), network_id(PASSPHRASE))
    code = "txSUCCESS" if successful else "txFAILED"
    result = "PAYMENT_SUCCESS" if successful else "PAYMENT_UNDERFUNDED"
    inner = _inner(code, [(_T.PAYMENT, OpResult(result))] * 2)
    outcome = TxOutcome(frame, True, code, inner, 200, transaction_result_bytes(200, inner))
    op_id = records.toid(9, 3, 2)
    expected = records.dumps(records.operation_record(outcome, 1, 9, 1_800_000_000, op_id))
    op = frame.operations[1]
    fast = payment_record_json(
        op,
        frame.op_source(op),
        op_id,
        outcome.successful,
        records.iso_time(1_800_000_000),
        frame.hash_hex,
    )
    assert fast == (expected, PAYEE)


def test_other_operations_take_the_general_record() -> None:
    frame = parse_envelope(envelope("as"), network_id(PASSPHRASE))
    for op in frame.operations:
        assert payment_record_json(op, frame.source, 1, True, "", frame.hash_hex) is None


@pytest.mark.parametrize(
    "account",
    [
        pytest.param(Account_(PAYEE, 10**18, 2**40), id="plain"),
        pytest.param(
            Account_(
                TREASURY.public_key,
                7,
                8,
                num_sub_entries=3,
                flags=9,
                home_domain='quo"te\\ and é',
                master_weight=0,
                low_threshold=2,
                med_threshold=2,
                high_threshold=2,
                signers=(Signer(PAYEE, 1), Signer(ISSUER, 255)),
                last_modified_ledger=12,
                seq_ledger=11,
                seq_time=1_800_000_000,
            ),
            id="multisig, odd home domain",
        ),
    ],
)
def test_an_account_is_stored_as_the_json_of_its_fields(account: Account_) -> None:
    body = {f: getattr(account, f) for f in account.__dataclass_fields__ if f != "signers"}
    expected = json.dumps(
        {"kind": "account", **body, "signers": [[s.key, s.weight] for s in account.signers]},
        separators=(",", ":"),
    )
    assert entry_to_json(account) == expected
    assert entry_from_json(expected) == account
