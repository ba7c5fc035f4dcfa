"""Replaying an epoch's accounting: its root, its settlement plan and its transactions.

``replay_epoch`` (the runtime) recomputes every contract action of the epoch. This adds
what follows from them: the Merkle root recomputed from the stored leaves (the epoch's
verdicts, its resolutions of earlier deferred receipts, its payouts), that each resolution
resolves a receipt an earlier epoch deferred, the plan id from the stored payouts, and
every stored envelope's hash recomputed from its bytes (the settlement's transactions and
the anchor, whose memo must be the root).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelayer.epochs.anchoring import build_tree
from servicelayer.epochs.steps import epoch_plan
from servicelayer.ledger.envelope import signed_envelope
from servicelayer.runtime.runtime import Mismatch
from servicelayer.storage import verdicts_repo
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.storage.settlement_models import SettlementTransaction

EPOCH = "epoch"


def replay_accounting(session: Session, epoch: int, passphrase: str) -> tuple[int, list[Mismatch]]:
    """(how many results were recomputed, the ones that differ)."""
    record = session.get(EpochRecord, epoch)
    if record is None:
        return 0, []
    checked, out = 0, []

    def compare(what: str, stored: str, computed: str) -> None:
        nonlocal checked
        checked += 1
        if stored != computed:
            out.append(Mismatch(EPOCH, epoch, what, stored, computed))

    if record.root is not None:
        compare("root", record.root, build_tree(session, epoch).root.hex())
    for res in verdicts_repo.resolutions_in(session, epoch):
        held = verdicts_repo.verdict(session, res.receipt_id)
        found = "no verdict" if held is None else f"{held.verdict} in epoch {held.epoch}"
        if held is not None and held.epoch >= epoch:
            found += " (not earlier)"
        compare(f"resolution of {res.receipt_id}", f"deferred in epoch {res.deferred_epoch}", found)
    if record.settlement_plan is not None:
        plan = epoch_plan(session, epoch)
        compare("settlement_plan", record.settlement_plan, plan.id if plan else "")
        rows = session.scalars(
            select(SettlementTransaction).where(
                SettlementTransaction.plan_id == record.settlement_plan
            )
        )
        for tx in rows:
            compare("tx_hash", tx.hash, _hash(tx.envelope_xdr, passphrase))
    if record.anchor_tx and record.anchor_envelope:
        compare("anchor tx_hash", record.anchor_tx, _hash(record.anchor_envelope, passphrase))
        envelope = signed_envelope(record.anchor_envelope, passphrase)
        memo = getattr(envelope.transaction.memo, "memo_hash", b"")
        compare("anchor memo", record.root or "", memo.hex())
    return checked, out


def _hash(envelope_xdr: str, passphrase: str) -> str:
    """The hash of the signed transaction (a fee bump's inner one, as the ledger paid it)."""
    return signed_envelope(envelope_xdr, passphrase).hash_hex()
