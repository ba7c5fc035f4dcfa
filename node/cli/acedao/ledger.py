"""A member's own payments on Stellar, signed here with the member's key (stellar-sdk)."""

from __future__ import annotations

from stellar_sdk import Asset, Keypair, Server, TransactionBuilder
from stellar_sdk.exceptions import BadRequestError, SdkError

from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.ledger.money import format_amount


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
    try:
        with Server(horizon) as server:
            builder = TransactionBuilder(
                server.load_account(payer.public_key), passphrase, base_fee=100
            ).append_payment_op(to, asset, format_amount(stroops))
            if text is not None:
                builder.add_text_memo(text)
            if memo_hash is not None:
                builder.add_hash_memo(memo_hash)
            envelope = builder.set_timeout(60).build()
            envelope.sign(payer)
            answer = server.submit_transaction(envelope, skip_memo_required_check=True)
    except BadRequestError as exc:
        codes = (exc.extras or {}).get("result_codes", {})
        raise Conflict(f"the ledger refused the payment: {codes or exc.title}") from None
    except SdkError as exc:
        raise LedgerUnavailable(f"cannot pay through {horizon}: {exc}") from None
    return str(answer["hash"])
