"""Agreed inputs: sealed batches of receipts and writes, and the input set of each epoch.

A federation validator does not put the receipts its API accepts straight into its
receipts table, nor apply the writes and registrations it takes, nor keep what its own
probes saw: it seals each request's accepted receipts, its write or its registration, and
each probe's evidence, into a **batch**, a message
(``servicelayer.federation.messages``, kind ``batch``) signed with its validator key:

    {number, prev, sealed_at, receipts, writes, registrations, evidence}

``number`` counts the sealer's batches from 0, ``prev`` is the digest of its batch
``number - 1`` ("" for the first), so a sealer's batches form a chain that nobody can
reorder or extend in its name, and ``sealed_at`` is the sealer's clock when it sealed (never
below its previous batch's). A batch's **digest** is the SHA-256 of its signed bytes. The
validators relay each other's batches (``servicelayer.federation.relay``); each checks the
signature and the chain before it keeps one. Each write is signed by its account
(``servicelayer.federation.writes``), each registration by its account
(docs/registration.md); each probe's evidence (``{"epoch": planned, "evidence": ...}``,
``servicelayer.probes.evidence``) is signed by the sealer, the validator that observed it.

An epoch's **input set** names, for every validator, the last of its batches that goes into
the epoch (the highest ``number`` sealed before the epoch's cut-off, its end plus the
close grace, by the sealer's clock, with that batch's digest). Its hash is put on the
ledger (``ace.inputs``), once per epoch, by M validators (``validator.Validator.agreed``);
then every validator applies exactly those batches, in the order of their ``sealed_at``
(then sealer, then number), through the same rules as a node alone (``ingest_batch`` and
the API's own routes, the registry, the evidence store, at each batch's ``sealed_at``),
together with the treasury's
payments up to the cut-off, and closes the epoch. A receipt's slot keeps the
highest-ranking receipt whatever the order, a duplicate is one leaf, and a receipt of an
already closed epoch in a later batch is refused alike everywhere: every validator seals
the same epoch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from threading import Lock
from typing import Any, Protocol

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session
from stellar_sdk import Keypair, StrKey

from contracts.canonical import canonical_bytes
from servicelayer.errors import InvalidInput
from servicelayer.federation.messages import Message, open_message, seal, signed_bytes
from servicelayer.federation.snapshots import Snapshot
from servicelayer.federation.writes import SignedWrite
from servicelayer.ledger.records import ObservedPayment
from servicelayer.probes.evidence import SwarmEvidence, evidence_from_json, evidence_to_json
from servicelayer.probes.registration import Registration, from_json
from servicelayer.receipts.codec import account_strkey, from_wire
from servicelayer.receipts.model import Kind, ReceiptError
from servicelayer.storage.federation_models import Batch, InputSet

BATCH = "batch"
SETS_TAG = "ace-inputs-v1"
MAX_RECEIPTS = 2000  # a batch carries at most this many receipts (within 1 MiB)
MAX_WRITES = 10
MAX_REGISTRATIONS = 100
MAX_EVIDENCE = 1  # a probe's evidence is sealed when it ends, in a batch of its own
BODY = {"number", "prev", "sealed_at", "receipts", "writes", "registrations", "evidence"}
PAGE_BYTES = 4 << 20  # batches served per request, after the first


@dataclass(frozen=True, slots=True)
class SealedBatch:
    sealer: str
    number: int
    prev: str
    sealed_at: int
    receipts: list[Any]
    writes: list[Any]
    registrations: list[Any]
    evidence: list[Any]
    digest: str
    wire: dict[str, Any]

    @staticmethod
    def open(wire: object, passphrase: str, validators: Collection[str]) -> SealedBatch:
        """The batch in ``wire`` once its signature and shape check out."""
        message = open_message(wire, passphrase, validators, (BATCH,))
        body = message.body
        if not isinstance(body, dict) or set(body) != BODY:
            raise InvalidInput(
                f"a batch's body has exactly {', '.join(sorted(BODY))}", code="bad_batch"
            )
        number, prev, sealed_at = body["number"], body["prev"], body["sealed_at"]
        receipts, writes = body["receipts"], body["writes"]
        registrations, evidence = body["registrations"], body["evidence"]
        if type(number) is not int or type(sealed_at) is not int or number < 0 or sealed_at < 0:
            raise InvalidInput("number and sealed_at are non-negative integers", code="bad_batch")
        if type(prev) is not str or not (prev == "" if number == 0 else _is_digest(prev)):
            raise InvalidInput("prev is the previous batch's digest", code="bad_batch")
        if type(receipts) is not list or len(receipts) > MAX_RECEIPTS:
            raise InvalidInput(f"receipts: a list of at most {MAX_RECEIPTS}", code="bad_batch")
        if type(writes) is not list or len(writes) > MAX_WRITES:
            raise InvalidInput(f"writes: a list of at most {MAX_WRITES}", code="bad_batch")
        for write in writes:
            SignedWrite.of(write)  # its signature is checked when it applies
        if type(registrations) is not list or len(registrations) > MAX_REGISTRATIONS:
            raise InvalidInput(
                f"registrations: a list of at most {MAX_REGISTRATIONS}", code="bad_batch"
            )
        if type(evidence) is not list or len(evidence) > MAX_EVIDENCE:
            raise InvalidInput(f"evidence: a list of at most {MAX_EVIDENCE}", code="bad_batch")
        try:
            for registration in registrations:
                from_json(registration)  # its signature is checked when it applies
            for item in evidence:
                planned_evidence(item)
        except InvalidInput as exc:
            raise InvalidInput(
                f"a batch item is malformed: {exc.detail}", code="bad_batch"
            ) from None
        digest = hashlib.sha256(signed_bytes(message, passphrase)).hexdigest()
        assert isinstance(wire, dict)
        return SealedBatch(
            message.sender,
            number,
            str(prev),
            sealed_at,
            receipts,
            writes,
            registrations,
            evidence,
            digest,
            wire,
        )


def planned_evidence(item: object) -> tuple[int, SwarmEvidence]:
    """(the epoch that planned the probe, its evidence) of a batch's evidence item."""
    if not isinstance(item, dict) or set(item) != {"epoch", "evidence"}:
        raise InvalidInput("an evidence item is {epoch, evidence}", code="bad_evidence")
    epoch = item["epoch"]
    if type(epoch) is not int or not 0 <= epoch < 1 << 62:
        raise InvalidInput(
            "an evidence item's epoch is a non-negative integer", code="bad_evidence"
        )
    return epoch, evidence_from_json(item["evidence"])


def _is_digest(value: object) -> bool:
    return type(value) is str and len(value) == 64 and not value.strip("0123456789abcdef")


# -- this validator's batches ------------------------------------------------------------
def seal_batch(
    session: Session,
    keypair: Keypair,
    passphrase: str,
    now: int,
    receipts: Sequence[Any] = (),
    writes: Sequence[SignedWrite] = (),
    registrations: Sequence[Any] = (),
    evidence: Sequence[tuple[int, SwarmEvidence]] = (),
) -> SealedBatch:
    """Seal ``receipts``, ``writes`` and ``registrations`` (taken by this validator's API)
    and ``evidence`` (its probes': planned epoch, evidence) as its next batch, and keep
    it. The caller serialises sealing (one sealer per validator)."""
    last = _last(session, keypair.public_key)
    number = 0 if last is None else last.number + 1
    sealed_at = now if last is None else max(now, last.sealed_at)
    prev = "" if last is None else last.digest
    carried, signed, registered = list(receipts), [w.wire() for w in writes], list(registrations)
    observed = [{"epoch": e, "evidence": evidence_to_json(ev)} for e, ev in evidence]
    body = {
        "number": number,
        "prev": prev,
        "sealed_at": sealed_at,
        "receipts": carried,
        "writes": signed,
        "registrations": registered,
        "evidence": observed,
    }
    message = Message(BATCH, keypair.public_key, 0, 0, body)
    wire = seal(message, keypair, passphrase)
    digest = hashlib.sha256(signed_bytes(message, passphrase)).hexdigest()
    batch = SealedBatch(
        keypair.public_key,
        number,
        prev,
        sealed_at,
        carried,
        signed,
        registered,
        observed,
        digest,
        wire,
    )
    _add(session, batch)
    return batch


def _add(session: Session, batch: SealedBatch) -> None:
    session.add(
        Batch(
            sealer=batch.sealer,
            number=batch.number,
            digest=batch.digest,
            sealed_at=batch.sealed_at,
            count=len(batch.receipts),
            wire=json.dumps(batch.wire, separators=(",", ":")),
            applied=False,
        )
    )


# -- what held batches say before they apply ----------------------------------------------
@dataclass(frozen=True, slots=True)
class _Facts:
    """What one batch says before it applies, for probes."""

    parties: tuple[tuple[str, int, str, str], ...]  # content, window_start, signer, other
    registrations: tuple[Registration, ...]


class Unapplied:
    """The batches held here but not applied yet (``probes.planner.Pending``): the
    receipts and registrations an epoch will close with, which this validator's probes
    must see while the epoch runs. Read as the sealers sent them (each one's signature is
    checked when it applies; one that does not decode is passed over), each batch once."""

    def __init__(self) -> None:
        self._facts: dict[tuple[str, int], _Facts] = {}
        self._lock = Lock()  # the probes' threads share it

    def bandwidth_parties(
        self, session: Session, low: int, high: int, content: str | None = None
    ) -> list[tuple[str, str, str | None]]:
        return sorted(
            {
                (c, signer, other)
                for facts in self._held(session)
                for c, window, signer, other in facts.parties
                if low <= window < high and (content is None or c == content)
            }
        )

    def registrations(self, session: Session, now: int) -> list[Registration]:
        found = [r for facts in self._held(session) for r in facts.registrations]
        return sorted((r for r in found if r.valid_until >= now), key=lambda r: r.seq)

    def _held(self, session: Session) -> list[_Facts]:
        keys = session.execute(
            select(Batch.sealer, Batch.number).where(~Batch.applied).order_by(Batch.sealed_at)
        ).all()
        held = [(sealer, number) for sealer, number in keys]
        with self._lock:
            missing = [key for key in held if key not in self._facts]
        if missing:
            rows = session.execute(
                select(Batch.sealer, Batch.number, Batch.wire).where(
                    tuple_(Batch.sealer, Batch.number).in_(missing)
                )
            )
            read = {(sealer, number): _facts_of(wire) for sealer, number, wire in rows}
            with self._lock:
                self._facts.update(read)
        with self._lock:
            for gone in self._facts.keys() - set(held):  # applied since
                del self._facts[gone]
            return [self._facts[key] for key in held if key in self._facts]


def _facts_of(wire: str) -> _Facts:
    body = json.loads(wire)["body"]
    parties = set()
    for receipt in body["receipts"]:
        try:
            r = from_wire(receipt).receipt
        except ReceiptError:
            continue
        if r.kind == Kind.BANDWIDTH:
            signer, other = account_strkey(r.signer), account_strkey(r.counterparty)
            parties.add((r.content.hex(), r.window_start, signer, other))
    registrations = []
    for registration in body["registrations"]:
        try:
            registrations.append(from_json(registration)[0].registration)
        except InvalidInput:
            continue
    return _Facts(tuple(sorted(parties)), tuple(registrations))


# -- batches of others -------------------------------------------------------------------
def keep(session: Session, batch: SealedBatch) -> bool:
    """Keep a relayed batch if it is the next link of its sealer's chain here; False when
    it is not (already held, a gap, or a fork: another batch with that number)."""
    previous = session.get(Batch, (batch.sealer, batch.number - 1)) if batch.number else None
    if session.get(Batch, (batch.sealer, batch.number)) is not None:
        return False
    if batch.number and (
        previous is None or previous.digest != batch.prev or batch.sealed_at < previous.sealed_at
    ):
        return False
    _add(session, batch)
    return True


def next_numbers(session: Session) -> dict[str, int]:
    """Per sealer, the number of the first batch this validator does not hold."""
    rows = session.execute(select(Batch.sealer, func.max(Batch.number)).group_by(Batch.sealer))
    return {sealer: top + 1 for sealer, top in rows}


def held(
    session: Session, sealer: str, start: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The sealer's batches held here from number ``start`` on (their signed wire form):
    at most ``limit``, and no more than ``PAGE_BYTES`` after the first; and whether more
    are held after them."""
    rows = session.scalars(
        select(Batch.wire)
        .where(Batch.sealer == sealer, Batch.number >= start)
        .order_by(Batch.number)
        .limit(limit + 1)
    )
    out: list[dict[str, Any]] = []
    size = 0
    for wire in rows:
        size += len(wire)
        if len(out) == limit or (out and size > PAGE_BYTES):
            return out, True
        out.append(json.loads(wire))
    return out, False


# -- input sets --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Last:
    """The last batch of ``sealer`` in an input set (number -1, digest "": none)."""

    sealer: str
    number: int
    digest: str


@dataclass(frozen=True, slots=True)
class Inputs:
    """An epoch's input set: the last batch of every validator that goes into it."""

    epoch: int
    sets: tuple[Last, ...]  # one per validator, in account order
    snapshot: Snapshot | None = None  # the balances that weigh proposals' votes

    @property
    def hash(self) -> bytes:
        hashed: list[Any] = [SETS_TAG, self.epoch, self.body()]
        if self.snapshot is not None:
            hashed.append(self.snapshot.body())
        return hashlib.sha256(canonical_bytes(hashed)).digest()

    def body(self) -> list[list[Any]]:
        return [[last.sealer, last.number, last.digest] for last in self.sets]

    @staticmethod
    def of(epoch: int, body: object, validators: Sequence[str], snapshot: object = None) -> Inputs:
        """The input set in ``body`` ([[sealer, number, digest], ...]) and ``snapshot``
        (its body, or None), checked: exactly one entry per validator, in account order."""
        if not isinstance(body, list) or len(body) != len(validators):
            raise InvalidInput("sets names every validator once", code="bad_message")
        sets = []
        for entry, sealer in zip(body, sorted(validators), strict=True):
            if not (
                isinstance(entry, list)
                and len(entry) == 3
                and entry[0] == sealer
                and StrKey.is_valid_ed25519_public_key(sealer)
                and type(entry[1]) is int
                and -1 <= entry[1] < 1 << 62
                and (entry[2] == "" if entry[1] == -1 else _is_digest(entry[2]))
            ):
                raise InvalidInput(
                    "each set is [validator, last batch number or -1, its digest or '']",
                    code="bad_message",
                )
            sets.append(Last(sealer, entry[1], entry[2]))
        return Inputs(epoch, tuple(sets), Snapshot.of(snapshot))


def sealed_before(
    session: Session,
    epoch: int,
    validators: Sequence[str],
    cutoff: int,
    snapshot: Snapshot | None = None,
) -> Inputs:
    """The input set of ``epoch`` as this validator holds it: every validator's batches
    sealed before ``cutoff`` (and the ``snapshot`` it read)."""
    sets = []
    for sealer in sorted(validators):
        last = _last(session, sealer, cutoff)
        sets.append(
            Last(sealer, -1, "") if last is None else Last(sealer, last.number, last.digest)
        )
    return Inputs(epoch, tuple(sets), snapshot)


def _last(session: Session, sealer: str, before: int | None = None) -> Batch | None:
    """The sealer's last batch held here (sealed before ``before``, if given)."""
    query = select(Batch).where(Batch.sealer == sealer)
    if before is not None:
        query = query.where(Batch.sealed_at < before)
    return session.scalars(query.order_by(Batch.number.desc()).limit(1)).first()


def left_out(session: Session, inputs: Inputs, cutoff: int) -> list[Last]:
    """Batches held here, sealed before ``cutoff``, that ``inputs`` leaves out."""
    out = []
    for last in inputs.sets:
        row = _last(session, last.sealer, cutoff)
        if row is not None and row.number > last.number:
            out.append(Last(row.sealer, row.number, row.digest))
    return out


def missing(session: Session, inputs: Inputs) -> list[Last]:
    """The sets whose last batch is not held here (or is held with another digest)."""
    out = []
    for last in inputs.sets:
        if last.number < 0:
            continue
        row = session.get(Batch, (last.sealer, last.number))
        if row is None or row.digest != last.digest:
            out.append(last)
    return out


def remember(session: Session, inputs: Inputs) -> InputSet:
    """Store a proposed input set by its hash (once)."""
    key = inputs.hash.hex()
    row = session.get(InputSet, key)
    if row is None:
        snapshot = None if inputs.snapshot is None else json.dumps(inputs.snapshot.body())
        row = InputSet(
            hash=key, epoch=inputs.epoch, body=json.dumps(inputs.body()), snapshot=snapshot
        )
        session.add(row)
    return row


def recall(session: Session, digest: str, validators: Sequence[str]) -> Inputs | None:
    row = session.get(InputSet, digest)
    if row is None:
        return None
    snapshot = None if row.snapshot is None else json.loads(row.snapshot)
    return Inputs.of(row.epoch, json.loads(row.body), validators, snapshot)


class Applier(Protocol):
    """How a validator applies what an epoch closes with, in one transaction."""

    def receipts(self, session: Session, receipts: list[Any], at: int) -> None: ...

    def write(self, session: Session, write: SignedWrite, at: int) -> None: ...

    def registration(self, session: Session, registration: Any, at: int) -> None: ...

    def evidence(
        self, session: Session, planned: int, evidence: SwarmEvidence, source: str
    ) -> None:
        """Keep a probe's evidence under ``source``, the same name on every validator."""
        ...

    def payment(self, session: Session, payment: ObservedPayment) -> None: ...

    def transaction(self) -> AbstractContextManager[Session]:
        """The write transaction an epoch closes in (with the contracts' cached states)."""
        ...


def apply_inputs(
    session: Session,
    inputs: Inputs,
    applier: Applier,
    payments: Sequence[ObservedPayment] = (),
) -> int:
    """Apply the input set's batches not applied yet and the ledger's ``payments`` (to
    the treasury, up to the cut-off), in one order every validator computes alike: by
    time (a payment's ledger close time, a batch's ``sealed_at``), a payment before a
    batch of the same second, payments in ledger order, batches by sealer then number
    (each sealer's chain in order, since its ``sealed_at`` never goes back). A batch's
    registrations, its evidence, its receipts, then its writes. Returns how many batches;
    every batch up to each set's last must be held (``missing`` is empty)."""
    rows: list[Batch] = []
    for last in inputs.sets:
        rows += session.scalars(
            select(Batch).where(
                Batch.sealer == last.sealer, Batch.number <= last.number, ~Batch.applied
            )
        ).all()
    rows.sort(key=lambda r: (r.sealed_at, r.sealer, r.number))
    steps: list[tuple[int, int, ObservedPayment | Batch]] = [
        (p.closed_at, 0, p) for p in payments
    ] + [(row.sealed_at, 1, row) for row in rows]
    steps.sort(key=lambda step: step[:2])  # stable: the orders above within a kind
    for at, _, item in steps:
        if isinstance(item, Batch):
            body = json.loads(item.wire)["body"]
            for registration in body["registrations"]:
                applier.registration(session, registration, at)
            for i, observed in enumerate(body["evidence"]):
                planned, evidence = planned_evidence(observed)
                applier.evidence(session, planned, evidence, f"{item.digest[:16]}.{i}")
            applier.receipts(session, body["receipts"], at)
            for write in body["writes"]:
                applier.write(session, SignedWrite.of(write), at)
            item.applied = True
        else:
            applier.payment(session, item)
    return len(rows)
