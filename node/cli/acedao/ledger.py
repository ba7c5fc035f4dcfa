"""A member's own transactions on Stellar, signed here with the member's key."""

from __future__ import annotations

from collections.abc import Callable

from stellar_sdk import Asset, Keypair, TransactionBuilder

from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.ledger.envelope import new_tx, sign
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.money import format_amount

Operations = Callable[[TransactionBuilder], TransactionBuilder]


def send(
    ledger: Horizon,
    keypair: Keypair,
    passphrase: str,
    operations: Operations,
    what: str,
    *,
    timeout: int | None = 60,
) -> str:
    """Build ``keypair``'s next transaction with ``operations``, sign it, submit it; its
    hash once the ledger applied it. Raises ``Conflict`` when the ledger refuses it and
    ``LedgerUnavailable`` when no answer came (a person's transaction expires after
    ``timeout`` seconds, so it cannot apply much later)."""
    state = ledger.account(keypair.public_key)
    if state is None:
        raise Conflict(f"{keypair.public_key} is not on the ledger: fund it first")
    builder = operations(
        new_tx(keypair.public_key, state.sequence, passphrase, 100, timeout=timeout)
    )
    signed = sign(builder.build(), [keypair])
    outcome = ledger.submit(signed.xdr)
    if outcome.ok is False:
        raise Conflict(f"the ledger refused {what}: {outcome.codes}")
    if outcome.ok is None:
        raise LedgerUnavailable(f"no answer from {ledger.url} for {what}: {outcome.detail}")
    return signed.hash


def pay(
    horizon: str,
    passphrase: str,
    payer: Keypair,
    to: str,
    asset: Asset,
    stroops: int,
    *,
    text: str | None = None,
    memo_hash: bytes | None = None,
) -> str:
    """Pay ``stroops`` of ``asset`` to ``to`` with a text or hash memo; the transaction
    hash once the ledger applied it."""

    def payment(builder: TransactionBuilder) -> TransactionBuilder:
        builder.append_payment_op(to, asset, format_amount(stroops))
        if text is not None:
            builder.add_text_memo(text)
        if memo_hash is not None:
            builder.add_hash_memo(memo_hash)
        return builder

    with Horizon(horizon) as ledger:
        return send(ledger, payer, passphrase, payment, "the payment")
