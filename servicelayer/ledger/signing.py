"""Who signs a DAO transaction: the keys this node holds, or M validators each of which
rebuilt the same transaction (``servicelayer.federation.cosigning``).

A ``Signing`` is asked for the validators' signatures of one transaction hash, together
with a description of the transaction (``ToSign``) from which another validator can
rebuild it byte for byte and check the hash before it signs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from stellar_sdk import Keypair
from stellar_sdk.decorated_signature import DecoratedSignature


@dataclass(frozen=True, slots=True)
class AnchorToSign:
    """An epoch's anchor: ``account``'s transaction at ``sequence`` putting ``root`` on the
    ledger (and the data ``entries``), at ``fee`` stroops."""

    account: str
    sequence: int
    fee: int
    root: str  # hex
    entries: Sequence[tuple[str, bytes]] = ()

    def body(self) -> dict[str, Any]:
        return {
            "what": "anchor",
            "account": self.account,
            "sequence": self.sequence,
            "fee": self.fee,
            "root": self.root,
            "entries": [[key, value.hex()] for key, value in self.entries],
        }


@dataclass(frozen=True, slots=True)
class ChunkToSign:
    """Chunk ``index`` of plan ``plan_id``, as the transaction of ``channel`` at
    ``sequence`` (claimable balances for the offsets in ``claimable``), at ``fee``
    stroops per operation."""

    plan_id: str
    index: int
    channel: str
    sequence: int
    claimable: tuple[int, ...]
    fee: int

    def body(self) -> dict[str, Any]:
        return {
            "what": "chunk",
            "plan": self.plan_id,
            "index": self.index,
            "channel": self.channel,
            "sequence": self.sequence,
            "claimable": list(self.claimable),
            "fee": self.fee,
        }


@dataclass(frozen=True, slots=True)
class InputsToSign:
    """An epoch's input set: ``account``'s (the anchor account's) transaction at
    ``sequence`` putting the hash of ``sets`` on the ledger, at ``fee`` stroops
    (``servicelayer.federation.batches``)."""

    account: str
    sequence: int
    fee: int
    sets: tuple[tuple[str, int, str], ...]  # (validator, last batch number, its digest)
    snapshot: dict[str, Any] | None = None  # the set's balance snapshot (its body)

    def body(self) -> dict[str, Any]:
        return {
            "what": "inputs",
            "account": self.account,
            "sequence": self.sequence,
            "fee": self.fee,
            "sets": [list(last) for last in self.sets],
            "snapshot": self.snapshot,
        }


ToSign = AnchorToSign | ChunkToSign | InputsToSign


class Signing(Protocol):
    def signatures(self, tx_hash: bytes, what: ToSign) -> list[DecoratedSignature]:
        """Exactly the validator signatures the DAO account's thresholds need."""
        ...


class KeySigning:
    """Signatures by keys this node holds (a node that settles alone)."""

    def __init__(self, keys: Sequence[Keypair]) -> None:
        self.keys = tuple(keys)

    def signatures(self, tx_hash: bytes, what: ToSign) -> list[DecoratedSignature]:
        return [key.sign_decorated(tx_hash) for key in self.keys]
