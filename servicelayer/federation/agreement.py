"""Agreeing on an epoch's input set, on the ledger.

The hash of an epoch's input set (``batches.Inputs``) is put on the ledger by one
transaction of the DAO's anchor account, signed by M validators:

    memo_hash   the input set's hash
    ace.inputs  epoch (8 bytes) || the input set's hash

A validator signs it only as the anchor account's next transaction while ``ace.inputs``
names an earlier epoch, after the previous agreed epoch is anchored (``ace.epoch``), so
the anchor account's transactions go inputs(e), anchor(e), inputs(e + 1), ... and each
epoch's input set is agreed once, whoever leads, for any f < M (the same argument as the
anchor's, docs/federation.md). Then every validator closes the epoch with that set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from stellar_sdk import ManageData, TransactionEnvelope

from servicelayer.epochs.anchoring import DATA_KEY
from servicelayer.epochs.clock import epoch_bounds
from servicelayer.errors import LedgerUnavailable
from servicelayer.federation.batches import Inputs
from servicelayer.federation.relay import Relay
from servicelayer.federation.snapshots import AgreedGovernance
from servicelayer.ledger.envelope import new_tx, signed_envelope
from servicelayer.ledger.horizon import Horizon
from servicelayer.storage import epochs_repo
from servicelayer.storage.epoch_models import EpochRecord

INPUTS_KEY = "ace.inputs"
SEARCHED = 50  # the anchor account's latest transactions searched for an older epoch's


@dataclass(frozen=True)
class Agreeing:
    """What a validator needs to agree on input sets: the relay of batches, and each
    epoch's cut-off (its end plus the close grace)."""

    relay: Relay
    epoch_seconds: int
    close_grace_seconds: int
    governance: AgreedGovernance | None = None  # None: the sets carry no snapshot

    def cutoff(self, epoch: int) -> int:
        return epoch_bounds(epoch, self.epoch_seconds)[1] + self.close_grace_seconds


def unanchored(session: Session) -> str | None:
    """Why the next epoch's inputs may not be agreed here yet: the last epoch closed here
    is not anchored (None: it is, or none is closed)."""
    last = epochs_repo.last_closed(session)
    record = None if last is None else session.get(EpochRecord, last)
    if record is not None and record.status not in ("anchored", "settled"):
        return f"epoch {last} is not anchored here yet"
    return None


def inputs_envelope(
    passphrase: str, account: str, sequence: int, inputs: Inputs, fee: int
) -> TransactionEnvelope:
    """The unsigned transaction putting ``inputs`` on the ledger: ``account``'s at
    ``sequence``."""
    builder = new_tx(account, sequence - 1, passphrase, fee).add_hash_memo(inputs.hash)
    builder.append_manage_data_op(INPUTS_KEY, inputs.epoch.to_bytes(8, "big") + inputs.hash)
    return builder.build()


def _epoch_of(value: bytes | None) -> int | None:
    return int.from_bytes(value[:8], "big") if value is not None and len(value) == 40 else None


@dataclass(frozen=True, slots=True)
class Marks:
    """What the anchor account's data entries say: the last epoch whose inputs were
    agreed (and their hash), the last epoch anchored, and the account's sequence."""

    sequence: int
    inputs_epoch: int | None
    inputs_hash: bytes | None
    anchored_epoch: int | None

    @property
    def ready_for_next(self) -> bool:
        """Whether the next epoch's inputs may be agreed: the last agreed one is anchored."""
        return self.inputs_epoch is None or (
            self.anchored_epoch is not None and self.anchored_epoch >= self.inputs_epoch
        )


def marks(horizon: Horizon, anchor: str) -> Marks | None:
    state = horizon.account(anchor)
    if state is None:
        return None
    inputs = state.data.get(INPUTS_KEY)
    epoch = _epoch_of(inputs)
    digest = inputs[8:] if epoch is not None and inputs is not None else None
    return Marks(state.sequence, epoch, digest, _epoch_of(state.data.get(DATA_KEY)))


def agreed_hash(horizon: Horizon, anchor: str, epoch: int, passphrase: str) -> str | None:
    """The hash of the input set agreed for ``epoch`` on the ledger (hex), or None."""
    found = marks(horizon, anchor)
    if found is None or found.inputs_epoch is None or found.inputs_epoch < epoch:
        return None
    if found.inputs_epoch == epoch and found.inputs_hash is not None:
        return found.inputs_hash.hex()
    for epoch_, digest in _agreed_in(horizon.recent_transactions(anchor, SEARCHED), passphrase):
        if epoch_ == epoch:
            return digest
    raise LedgerUnavailable(
        f"epoch {epoch}'s input set is not among the anchor account's last {SEARCHED} transactions"
    )


def _agreed_in(records: list[dict[str, Any]], passphrase: str) -> Iterator[tuple[int, str]]:
    """(epoch, input set hash) of each successful ``ace.inputs`` transaction in ``records``."""
    for record in records:
        if record.get("successful") is not True or "envelope_xdr" not in record:
            continue
        try:
            envelope = signed_envelope(str(record["envelope_xdr"]), passphrase)
        except (ValueError, EOFError):
            continue
        for op in envelope.transaction.operations:
            if isinstance(op, ManageData) and op.data_name == INPUTS_KEY:
                value = op.data_value or b""
                epoch = _epoch_of(value)
                if epoch is not None:
                    yield epoch, value[8:].hex()


def first_epoch(horizon: Horizon, anchor: str, passphrase: str) -> int | None:
    """The epoch a validator that has closed none starts with: the federation's first, the
    first whose input set was agreed (None before any: the one that ended last). A
    validator closes every epoch from the federation's first on, or its state differs."""
    if marks(horizon, anchor) is None:
        return None
    oldest = horizon.recent_transactions(anchor, SEARCHED, oldest=True)
    return next((epoch for epoch, _ in _agreed_in(oldest, passphrase)), None)
