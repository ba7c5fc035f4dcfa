"""Factories for engine scenarios: build, sign, submit and close in one call."""

from __future__ import annotations

from decimal import Decimal

from stellar_sdk import Account as SdkAccount
from stellar_sdk import (
    Asset,
    ChangeTrust,
    CreateAccount,
    FeeBumpTransactionEnvelope,
    Keypair,
    Payment,
    TransactionBuilder,
    TransactionEnvelope,
)
from stellar_sdk.operation import Operation

from testnet.ledger import StandaloneLedger, SubmissionResult

STROOPS = 10_000_000
BASE_FEE = 100
BASE_RESERVE = 5_000_000


def xlm(amount: str) -> int:
    return int(Decimal(amount) * STROOPS)


def amount(stroops: int) -> str:
    return f"{stroops // STROOPS}.{stroops % STROOPS:07d}"


class FakeClock:
    def __init__(self, now: int = 1_800_000_000) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


def build(
    ledger: StandaloneLedger,
    source: Keypair,
    ops: list[Operation],
    *,
    signers: list[Keypair] | None = None,
    fee: int = BASE_FEE,
    seq: int | None = None,
    time_bounds: tuple[int, int] | None = None,
) -> TransactionEnvelope:
    """A transaction from ``source`` (fee per operation), signed by ``signers`` (default source)."""
    if seq is None:
        account = ledger.account(source.public_key)
        assert account is not None, "source must exist unless seq is given"
        seq = account.seq_num
    builder = TransactionBuilder(
        SdkAccount(source.public_key, seq), ledger.network_passphrase, base_fee=fee
    )
    for op in ops:
        builder.append_operation(op)
    builder.add_time_bounds(*(time_bounds or (0, 0)))
    envelope = builder.build()
    for signer in [source] if signers is None else signers:
        envelope.sign(signer)
    return envelope


def run(
    ledger: StandaloneLedger, envelope: TransactionEnvelope | FeeBumpTransactionEnvelope | str
) -> SubmissionResult:
    """Submits, closes a ledger if the transaction was queued, returns its result."""
    xdr = envelope if isinstance(envelope, str) else envelope.to_xdr()
    if ledger.closes_on_timer:  # a timer closes ledgers: just wait
        return ledger.submit(xdr, timeout=10)
    future = ledger.submit_async(xdr)
    if not future.done():
        ledger.close_ledger()
    return future.result(timeout=5)


def submit(
    ledger: StandaloneLedger, source: Keypair, ops: list[Operation], **kw: object
) -> SubmissionResult:
    return run(ledger, build(ledger, source, ops, **kw))  # type: ignore[arg-type]


def make_funded_account(
    ledger: StandaloneLedger, balance: str = "1000", funder: Keypair | None = None
) -> Keypair:
    keypair = Keypair.random()
    result = submit(
        ledger, funder or ledger.root_keypair, [CreateAccount(keypair.public_key, balance)]
    )
    assert result.successful, result
    return keypair


def balance(ledger: StandaloneLedger, keypair: Keypair) -> int:
    account = ledger.account(keypair.public_key)
    assert account is not None
    return account.balance


def seq(ledger: StandaloneLedger, keypair: Keypair) -> int:
    account = ledger.account(keypair.public_key)
    assert account is not None
    return account.seq_num


def line_balance(ledger: StandaloneLedger, keypair: Keypair, asset: Asset) -> int | None:
    line = ledger.trustline(keypair.public_key, f"{asset.code}:{asset.issuer}")
    return None if line is None else line.balance


def issue(
    ledger: StandaloneLedger, issuer: Keypair, holder: Keypair, asset: Asset, amount: str
) -> None:
    """Trust line from holder, then a payment from the issuer."""
    assert submit(ledger, holder, [ChangeTrust(asset)]).successful
    if Decimal(amount) > 0:
        assert submit(ledger, issuer, [Payment(holder.public_key, asset, amount)]).successful
