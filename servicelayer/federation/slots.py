"""Where a federation pays an epoch: one (channel, sequence) slot per chunk, committed by
the epoch's anchor before any payment.

Chunk ``k`` of the epoch's plan is the transaction of channel ``k mod K`` at sequence
``base + k div K + 1``, where ``base`` is that channel's sequence number when the epoch
was anchored (the previous epoch's payments are all on the ledger by then), at the fee
the anchor names. Nothing else varies, so every validator builds the same transaction
for a chunk (the same hash), and a sequence number is used once: a chunk can be paid at
most once, whoever submits it, and an equivocating leader cannot make a second
transaction for it that could also apply.

The anchor carries the commitment as data entries beside ``ace.epoch``:

    ace.plan      plan id (32 bytes) || fee per operation (4 bytes) || chunks (4 bytes)
    ace.slots.J   the base sequence numbers of channels 8J..8J+7 (8 bytes each)

so anyone holding the anchor transaction can tell the slot, and so the hash, of every
payment of the epoch. Big-endian throughout. A payment that fails only because payees
cannot hold the asset is redone as claimable balances in a slot that is just as
determined (``rounds``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from servicelayer.settlement.chunking import Chunk
from servicelayer.settlement.resolution import fallback_offsets

PLAN_KEY = "ace.plan"
SLOTS_KEY = "ace.slots."
PER_ENTRY = 8  # base sequence numbers per data entry (a value holds at most 64 bytes)


@dataclass(frozen=True, slots=True)
class Assignment:
    plan_id: str  # hex
    fee: int  # stroops per operation
    chunks: int
    channels: tuple[tuple[str, int], ...]  # (channel account, its base sequence number)

    def slot(self, index: int) -> tuple[str, int]:
        """The channel and sequence number of chunk ``index``."""
        if not 0 <= index < self.chunks:
            raise IndexError(f"the plan has {self.chunks} chunks")
        account, base = self.channels[index % len(self.channels)]
        return account, base + index // len(self.channels) + 1

    def entries(self) -> list[tuple[str, bytes]]:
        """The anchor's data entries that commit to this assignment."""
        head = bytes.fromhex(self.plan_id) + self.fee.to_bytes(4, "big")
        out = [(PLAN_KEY, head + self.chunks.to_bytes(4, "big"))]
        bases = [base for _, base in self.channels]
        for j in range(0, len(bases), PER_ENTRY):
            value = b"".join(b.to_bytes(8, "big") for b in bases[j : j + PER_ENTRY])
            out.append((f"{SLOTS_KEY}{j // PER_ENTRY}", value))
        return out

    @staticmethod
    def of_entries(entries: Mapping[str, bytes], channels: Sequence[str]) -> Assignment | None:
        """The assignment an anchor's data entries commit to, for these channel accounts;
        None when they commit to none (an epoch with no payouts) or do not fit them."""
        head = entries.get(PLAN_KEY)
        if head is None or len(head) != 40 or not channels:
            return None
        bases: list[int] = []
        for j in range(0, len(channels), PER_ENTRY):
            value = entries.get(f"{SLOTS_KEY}{j // PER_ENTRY}", b"")
            wanted = min(PER_ENTRY, len(channels) - j)
            if len(value) != 8 * wanted:
                return None
            bases += [int.from_bytes(value[i : i + 8], "big") for i in range(0, len(value), 8)]
        return Assignment(
            head[:32].hex(),
            int.from_bytes(head[32:36], "big"),
            int.from_bytes(head[36:40], "big"),
            tuple(zip(channels, bases, strict=True)),
        )


# -- attempts --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attempt:
    """One transaction a chunk may be paid by: round 0 pays it in its anchored slot; a
    later round redoes, as claimable balances, the payments that failed only because the
    payee could not hold the asset (``fallback_offsets``)."""

    chunk: Chunk
    round: int
    channel: str
    sequence: int
    claimable: frozenset[int]


Outcome = tuple[bool, tuple[str, ...]]
"""An attempt's transaction on the ledger: (successful, its operations' result codes)."""


def rounds(
    slots: Assignment,
    chunks: Sequence[Chunk],
    hash_of: Callable[[Attempt], str],
    lookup: Callable[[str], Outcome | None],
) -> list[list[Attempt]]:
    """The attempts of each round, as far as the ledger has decided them.

    Round r + 1 is known once every attempt of round r is on the ledger: the chunks whose
    transaction failed for payees who cannot hold the asset, in chunk order, each in the
    next free sequence number of channel ``j mod K`` (after every slot used so far). Every
    validator derives the same rounds from the same ledger, so each attempt too has one
    possible transaction."""
    channels = [account for account, _ in slots.channels]
    last = {account: base for account, base in slots.channels}
    current = [Attempt(c, 0, *slots.slot(c.index), frozenset()) for c in chunks]
    out: list[list[Attempt]] = []
    while current:
        out.append(current)
        for attempt in current:
            last[attempt.channel] = max(last[attempt.channel], attempt.sequence)
        redo: list[tuple[Chunk, frozenset[int]]] = []
        for attempt in current:
            found = lookup(hash_of(attempt))
            if found is None:
                return out  # this round is not decided yet
            successful, codes = found
            offsets = None if successful else fallback_offsets(codes)
            if offsets is not None and not offsets <= attempt.claimable:
                redo.append((attempt.chunk, attempt.claimable | offsets))
        base = dict(last)
        current = [
            Attempt(
                chunk,
                len(out),
                channels[j % len(channels)],
                base[channels[j % len(channels)]] + j // len(channels) + 1,
                claimable,
            )
            for j, (chunk, claimable) in enumerate(redo)
        ]
    return out
