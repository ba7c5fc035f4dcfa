"""The embedded standalone Stellar ledger: one node, classic transactions, Horizon records.

Usage::

    ledger = StandaloneLedger.open(data_dir=path)          # ledger.sqlite3, closes every 5 s
    result = ledger.submit(envelope_xdr)                    # blocks until its ledger closed
    result.status, result.tx_code, result.op_codes, result.fee_charged
    ledger.account(account_id); ledger.latest_ledger(); ledger.store.transactions(...)
    ledger.close()

The HTTP front is ``testnet.ledger.front.create_horizon_app(ledger)`` (or ``HorizonServer``);
``acenode ledger serve`` runs both. Layout: state (entries, copy-on-write views), frame
(envelope decoding and hashing), apply (validity and application), ops/ (one module per
operation family), signatures, results (TransactionResult XDR), records/horizon/paging/
problems (Horizon JSON), store + schema (durability; schema from testnet/ledger/migrations),
closer (the transaction queue: one per source account, at most ``MAX_TX_SET_OPS``
operations a ledger, surge pricing; and the close timer), closing (rows of one closed
ledger), ledger (facade).
"""

from testnet.ledger.closer import TryAgainLater
from testnet.ledger.ledger import (
    DEFAULT_PASSPHRASE,
    MAX_TX_SET_OPS,
    StandaloneLedger,
)
from testnet.ledger.submission import (
    SubmissionResult,
    SubmissionStatus,
    result_from_record,
)

__all__ = [
    "DEFAULT_PASSPHRASE",
    "MAX_TX_SET_OPS",
    "StandaloneLedger",
    "SubmissionResult",
    "SubmissionStatus",
    "TryAgainLater",
    "result_from_record",
]
