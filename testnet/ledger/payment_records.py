"""A payment's operation record as JSON text, written directly.

A settlement ledger holds thousands of payments per close; building each record as a
dict and encoding it with ``json.dumps`` cost more than applying the payment. The text
here is byte for byte what ``records.dumps(records.operation_record(...))`` gives for a
payment whose asset code is alphanumeric (a unit test compares them); anything else
takes the general path.
"""

from __future__ import annotations

from functools import lru_cache

from stellar_sdk import xdr as x

from servicelayer.ledger.money import format_amount
from testnet.ledger.codec import NATIVE, asset_key, asset_valid, muxed_str
from testnet.ledger.records import asset_fields

_PAYMENT = x.OperationType.PAYMENT


@lru_cache(maxsize=1024)
def _asset_json(asset: str) -> str:
    """The asset's fields as JSON members (codes are alphanumeric, issuers strkeys)."""
    return ",".join(f'"{k}":"{v}"' for k, v in asset_fields(asset).items())


def payment_record_json(
    op: x.Operation,
    source: str,
    op_id: int,
    successful: bool,
    created_at: str,
    tx_hash: str,
) -> tuple[str, str] | None:
    """(record JSON, destination) of a payment operation; None for any other kind."""
    body = op.body
    payment = body.payment_op
    if body.type != _PAYMENT or payment is None or not asset_valid(payment.asset):
        return None
    asset = asset_key(payment.asset)
    if asset != NATIVE and not asset.isascii():
        return None
    dest = muxed_str(payment.destination)
    text = (
        f'{{"id":"{op_id}","paging_token":"{op_id}",'
        f'"transaction_successful":{"true" if successful else "false"},'
        f'"source_account":"{source}","type":"payment","type_i":1,'
        f'"created_at":"{created_at}","transaction_hash":"{tx_hash}",'
        f'{_asset_json(asset)},"from":"{source}","to":"{dest}",'
        f'"amount":"{format_amount(payment.amount.int64)}"}}'
    )
    return text, dest
