"""A member's own payments on Stellar, signed here with the member's key."""

from __future__ import annotations

from stellar_sdk import Asset, Keypair

from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.ledger.envelope import new_tx, sign
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.money import format_amount


def submit(horizon: Horizon, signed_xdr: str, what: str) -> None:
    """Submit a transaction the member signed; raises unless it applied."""
    outcome = horizon.submit(signed_xdr)
    if outcome.ok is False:
        codes = ", ".join([outcome.tx_code or "", *outcome.op_codes]).strip(", ")
        raise Conflict(f"the ledger refused {what}: {codes or outcome.detail}")
    if outcome.ok is None:
        raise LedgerUnavailable(f"no answer from {horizon.url} for {what}: {outcome.detail}")


def _source(horizon: Horizon, account: str) -> int:
    state = horizon.account(account)
    if state is None:
        raise Conflict(f"{account} is not on the ledger: fund it first")
    return state.sequence


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
    with Horizon(horizon) as ledger:
        builder = new_tx(
            payer.public_key, _source(ledger, payer.public_key), passphrase, 100, timeout=60
        ).append_payment_op(to, asset, format_amount(stroops))
        if text is not None:
            builder.add_text_memo(text)
        if memo_hash is not None:
            builder.add_hash_memo(memo_hash)
        signed = sign(builder.build(), [payer])
        submit(ledger, signed.xdr, "the payment")
    return signed.hash
