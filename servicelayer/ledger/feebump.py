"""Fee bumps: paying more for a transaction the ledger will not queue at its own fee.

A transaction's fee is fixed when its signers sign it (a federation even fixes it in the
epoch's anchor, so that every validator builds the same payment). When the network is
busy, the ledger refuses a bid below those its full queue holds: ``tx_insufficient_fee``,
with the fee that would have made room as the result's ``fee_charged`` (stellar-core's
``TransactionQueue``). Any one signer can then wrap the very same signed transaction in a
fee bump (CAP-15) that it pays and signs alone. The inner transaction, its hash, its
sequence number and its M signatures are unchanged, so exactly-once still holds (one
slot, one hash) and every lookup by hash still finds it: Horizon finds a fee bump by its
inner transaction's hash too.

stellar-sdk builds and signs the bump (``TransactionBuilder.build_fee_bump_transaction``).
"""

from __future__ import annotations

from dataclasses import dataclass

from stellar_sdk import Keypair, TransactionBuilder
from stellar_sdk.exceptions import SdkError

from servicelayer.ledger.envelope import inner_of


@dataclass(frozen=True, slots=True)
class FeeBumps:
    """Bumps paid by ``payer``'s account (which must hold XLM), at most ``max_fee``
    stroops per operation."""

    payer: Keypair
    passphrase: str
    max_fee: int

    def bump(self, envelope_xdr: str, fee_charged: int) -> str | None:
        """``envelope_xdr`` (its inner transaction, if it is a bump already) in a fee bump
        that bids at least ``fee_charged``, the fee the ledger said would have let the
        refused envelope in; None when that is more than ``max_fee`` per operation or the
        envelope cannot be read."""
        try:
            envelope = TransactionBuilder.from_xdr(envelope_xdr, self.passphrase)
        except (SdkError, ValueError, EOFError):
            return None
        inner = inner_of(envelope)
        charged = int(inner is not envelope)  # a refused bump's own extra operation
        operations = max(1, len(inner.transaction.operations))
        rate = max(
            -(-fee_charged // (operations + charged)),  # what the ledger asked, per operation
            -(-inner.transaction.fee // operations),  # a bump never bids below its inner
        )
        if rate > self.max_fee:
            return None
        try:
            bumped = TransactionBuilder.build_fee_bump_transaction(
                self.payer.public_key, rate, inner, self.passphrase
            )
        except ValueError:  # a rate below the network's minimum
            return None
        bumped.sign(self.payer)
        return bumped.to_xdr()
