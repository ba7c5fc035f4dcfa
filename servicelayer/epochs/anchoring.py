"""An epoch's accounting as a Merkle tree, anchored on Stellar, with proofs for anyone.

Leaves (canonical JSON, ``contracts.canonical``):

    ["ace-receipt-v1", epoch, receipt id, verdict, weight_ppm]        every stored receipt
    ["ace-release-v1", epoch, receipt id, verdict, weight_ppm]        every resolution
    ["ace-payout-v1", epoch, payout id, kind, account, asset, amount]  every payout

where a resolution is this epoch's judgement of a receipt an earlier epoch ``deferred``
(weight 0 there; released or rejected here, and counted here with this weight), and
a payout id is ``epoch-<epoch>-<position>`` (also the settlement's reference).
The tree is ``servicelayer.merkle`` (RFC 6962 hashing, leaves sorted by hash).

The anchor is one transaction from the DAO's anchor account (validators' M-of-N, like
the treasury) with ``memo_hash = root`` and a ``manage_data`` entry
``ace.epoch = epoch (8 bytes, big-endian) || root``. An auditor needs only the anchor
account's id and a Horizon: the transaction shows the root, its source shows who
anchored it, and the proof links a leaf to that root.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stellar_sdk import ManageData, TransactionEnvelope

from contracts.canonical import canonical_bytes
from servicelayer.dao.readiness import DaoNotReady, signs_for
from servicelayer.errors import NotFound
from servicelayer.ledger.envelope import SignedTx, new_tx
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.signing import AnchorToSign, Signing
from servicelayer.merkle import MerkleTree, Proof
from servicelayer.storage import verdicts_repo
from servicelayer.storage.epoch_models import EpochPayout, EpochRecord

DATA_KEY = "ace.epoch"
RECEIPT_TAG, PAYOUT_TAG = "ace-receipt-v1", "ace-payout-v1"
RELEASE_TAG = "ace-release-v1"


def payout_id(epoch: int, position: int) -> str:
    return f"epoch-{epoch}-{position}"


def receipt_leaf(epoch: int, receipt_id: str, verdict: str, weight_ppm: int) -> list[Any]:
    return [RECEIPT_TAG, epoch, receipt_id, verdict, weight_ppm]


def release_leaf(epoch: int, receipt_id: str, verdict: str, weight_ppm: int) -> list[Any]:
    return [RELEASE_TAG, epoch, receipt_id, verdict, weight_ppm]


def payout_leaf(row: EpochPayout) -> list[Any]:
    pid = payout_id(row.epoch, row.position)
    return [PAYOUT_TAG, row.epoch, pid, row.kind, row.account, row.asset, row.amount]


def leaf_bytes(leaf: list[Any]) -> bytes:
    return canonical_bytes(leaf)


def epoch_leaves(session: Session, epoch: int) -> list[list[Any]]:
    receipts = [
        receipt_leaf(epoch, v.receipt_id, v.verdict, v.weight_ppm)
        for v in sorted(verdicts_repo.in_epoch(session, epoch), key=lambda v: v.receipt_id)
    ]
    releases = [
        release_leaf(epoch, r.receipt_id, r.verdict, r.weight_ppm)
        for r in verdicts_repo.resolutions_in(session, epoch)
    ]
    payouts = [payout_leaf(row) for row in epoch_payouts(session, epoch)]
    return receipts + releases + payouts


def epoch_payouts(
    session: Session, epoch: int, after: int = -1, limit: int | None = None
) -> list[EpochPayout]:
    """The epoch's payouts in position order after ``after`` (at most ``limit``)."""
    p = EpochPayout
    query = select(p).where(p.epoch == epoch, p.position > after).order_by(p.position)
    return list(session.scalars(query.limit(limit)))


def data_value(epoch: int, root: bytes) -> bytes:
    return epoch.to_bytes(8, "big") + root


def anchor_tx(
    horizon: Horizon,
    passphrase: str,
    anchor: str,
    signing: Signing,
    signers: Sequence[str],
    epoch: int,
    root: bytes,
    base_fee: int,
    entries: Sequence[tuple[str, bytes]] = (),
) -> SignedTx:
    """The anchor transaction at the anchor account's next sequence number, signed by
    ``signing`` (the validators ``signers``), with more data ``entries`` if any (a
    federation's settlement slots).

    Raises ``DaoNotReady`` rather than build a transaction the ledger must refuse with
    ``tx_bad_auth``: while the bootstrap has funded the anchor account but not yet made
    the validators its signers, their signatures do not count."""
    state = horizon.account(anchor)
    if state is None:
        raise NotFound(f"the anchor account {anchor} is not on the ledger; run the bootstrap")
    if not signs_for(state, signers):
        raise DaoNotReady(
            f"the anchor account {anchor} does not have the validators as signers yet "
            "(`acenode dao bootstrap` sets them); the anchor waits"
        )
    envelope = anchor_envelope(
        passphrase, anchor, state.sequence + 1, epoch, root, base_fee, entries
    )
    what = AnchorToSign(anchor, envelope.transaction.sequence, base_fee, root.hex(), entries)
    for signature in signing.signatures(envelope.hash(), what):
        envelope.signatures.append(signature)
    return SignedTx(envelope.hash_hex(), envelope.to_xdr(), envelope.transaction.sequence)


def anchor_envelope(
    passphrase: str,
    anchor: str,
    sequence: int,
    epoch: int,
    root: bytes,
    fee: int,
    entries: Sequence[tuple[str, bytes]] = (),
) -> TransactionEnvelope:
    """The unsigned anchor of ``epoch``: ``anchor``'s transaction at ``sequence``."""
    builder = new_tx(anchor, sequence - 1, passphrase, fee).add_hash_memo(root)
    builder.append_manage_data_op(DATA_KEY, data_value(epoch, root))
    for key, value in entries:
        builder.append_manage_data_op(key, value)
    return builder.build()


def anchor_data(envelope: TransactionEnvelope) -> dict[str, bytes]:
    """The data entries an anchor transaction sets."""
    return {
        op.data_name: op.data_value
        for op in envelope.transaction.operations
        if isinstance(op, ManageData) and op.data_value is not None
    }


@dataclass(frozen=True)
class LeafProof:
    epoch: int
    leaf: list[Any]
    proof: Proof
    root: bytes
    anchor_tx: str | None
    anchor_ledger: int | None

    def view(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "leaf": self.leaf,
            "leaf_hash": self.proof.leaf_hash.hex(),
            "index": self.proof.index,
            "size": self.proof.size,
            "path": [h.hex() for h in self.proof.path],
            "root": self.root.hex(),
            "anchor": {"tx_hash": self.anchor_tx, "ledger": self.anchor_ledger},
        }


class Trees:
    """Each epoch's tree, built once per root (a computed epoch's leaves do not change)."""

    def __init__(self, keep: int = 8) -> None:
        self._trees: OrderedDict[int, MerkleTree] = OrderedDict()
        self._keep = keep
        self._lock = Lock()

    def tree(self, session: Session, epoch: int, root: bytes) -> MerkleTree:
        with self._lock:
            cached = self._trees.get(epoch)
            if cached is not None and cached.root == root:
                self._trees.move_to_end(epoch)
                return cached
        tree = build_tree(session, epoch)
        with self._lock:
            self._trees[epoch] = tree
            while len(self._trees) > self._keep:
                self._trees.popitem(last=False)
        return tree

    def prove(self, session: Session, epoch: int, leaf: list[Any]) -> LeafProof:
        record = session.get(EpochRecord, epoch)
        if record is None or record.root is None:
            raise NotFound(f"epoch {epoch} has no anchored accounting yet", code="not_anchored")
        root = bytes.fromhex(record.root)
        proof = self.tree(session, epoch, root).prove(leaf_bytes(leaf))
        if proof is None:
            raise NotFound(f"not in epoch {epoch}'s accounting", code="not_in_epoch")
        return LeafProof(epoch, leaf, proof, root, record.anchor_tx, record.anchor_ledger)


def build_tree(session: Session, epoch: int) -> MerkleTree:
    return MerkleTree([leaf_bytes(leaf) for leaf in epoch_leaves(session, epoch)])
