"""Co-signing: a leader asks the other validators to sign the epoch's DAO transactions;
each rebuilds the transaction from what it computed itself and signs only if every byte
matches (docs/federation.md).

The leader (``Cosigners``, a ``Signing``) sends each member a ``sign`` message: what is to
be signed (``ToSign``: the epoch's input set, its anchor, or a chunk of its plan) and the
transaction's hash. A member (``Follower``) answers with its signature of that hash, or refuses:

* ``not_ready``: the epoch is not computed here yet, or (for an anchor) the previous
  epoch's payments are not all on the ledger yet; ask again later;
* ``root_mismatch`` / ``plan_mismatch`` (both roots or plans are logged): the leader's
  epoch differs from the one this validator computed: it gets no signature;
* ``wrong_slot``: the anchor is not the anchor account's next transaction, the epoch is
  already anchored, or the settlement slots it commits to are not the channels' next
  sequence numbers (``servicelayer.federation.slots``); a payment is not in the slot
  the epoch's anchor committed to;
* ``not_anchored``: a payment of an epoch whose root the named anchor does not hold;
* ``missing_batch`` / ``batch_left_out``: an epoch's input set names a batch this
  validator cannot get, or leaves out one it holds that was sealed before the cut-off
  (``servicelayer.federation.agreement``);
* ``hash_mismatch``: the rebuilt transaction has another hash.

The anchor is the anchor account's next transaction and an epoch is anchored once (a
validator signs an anchor only while the account's ``ace.epoch`` entry names an earlier
epoch); the anchor fixes every payment's (channel, sequence) slot. So two transactions
for one chunk share a sequence number of one channel: at most one can apply, however many
leaders ask, whatever they ask, and no validator needs to remember what it signed.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import httpx
from stellar_sdk import Keypair, StrKey
from stellar_sdk.decorated_signature import DecoratedSignature
from stellar_sdk.exceptions import BadSignatureError

from servicelayer.epochs.anchoring import DATA_KEY, anchor_data, anchor_envelope, build_tree
from servicelayer.epochs.pipeline import StepWaits
from servicelayer.epochs.steps import epoch_plan
from servicelayer.errors import InvalidInput, LedgerUnavailable
from servicelayer.federation.agreement import Agreeing, inputs_envelope, marks, unanchored
from servicelayer.federation.batches import Inputs, left_out, remember
from servicelayer.federation.members import Member, leader
from servicelayer.federation.messages import Message, seal
from servicelayer.federation.settling import Ledger
from servicelayer.federation.slots import Assignment, Attempt, rounds
from servicelayer.federation.snapshots import Snapshot
from servicelayer.ledger.envelope import signed_envelope
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.signing import AnchorToSign, ChunkToSign, InputsToSign, ToSign
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import MAX_OPS, chunk_plan
from servicelayer.settlement.plan import Plan
from servicelayer.storage import epochs_repo
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.storage.federation_models import Vote

log = logging.getLogger("acenode.federation")
SIGN = "sign"
KINDS = (SIGN,)
COMPUTED = ("computed", "anchored", "settled")
MAX_FEE = 1 << 31  # an operation's fee bid, stroops (a transaction's fee is a uint32)
KEEP_EPOCHS = 4  # epochs whose payments' hashes and records a follower keeps
MAX_ENTRIES = 16  # data entries an anchor sets besides ace.epoch (64 channels: 9)
MAX_VALIDATORS = 64


class NoQuorum(StepWaits):
    """Fewer than M validators signed: nothing is submitted; the next tick asks again."""

    code = "no_quorum"


# -- what is asked ---------------------------------------------------------------------
def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if type(value) is not kind:
        raise InvalidInput(f"{name} must be a {kind.__name__}", code="bad_message")
    return value


def _count(body: dict[str, Any], name: str, upper: int) -> int:
    value: int = _field(body, name, int)
    if not 0 <= value < upper:
        raise InvalidInput(f"{name} must be in 0..{upper - 1}", code="bad_message")
    return value


def _hex(body: dict[str, Any], name: str) -> str:
    value: str = _field(body, name, str)
    if len(value) != 64 or value.strip("0123456789abcdef"):
        raise InvalidInput(f"{name} must be 64 lowercase hex digits", code="bad_message")
    return value


def _account(body: dict[str, Any], name: str) -> str:
    value: str = _field(body, name, str)
    if not StrKey.is_valid_ed25519_public_key(value):
        raise InvalidInput(f"{name} must be a Stellar account (G...)", code="bad_message")
    return value


def _entries(body: dict[str, Any]) -> tuple[tuple[str, bytes], ...]:
    entries = _field(body, "entries", list)
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"at most {MAX_ENTRIES} data entries", code="bad_message")
    out = []
    for entry in entries:
        if not (
            isinstance(entry, list)
            and len(entry) == 2
            and all(type(part) is str for part in entry)
            and 0 < len(entry[0]) <= 64
            and len(entry[1]) <= 128
        ):
            raise InvalidInput(
                "an entry is [name, hex value of at most 64 bytes]", code="bad_message"
            )
        try:
            out.append((entry[0], bytes.fromhex(entry[1])))
        except ValueError:
            raise InvalidInput("an entry's value is hex", code="bad_message") from None
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Request:
    """A ``sign`` message's body, checked: what to sign, its hash, and for a chunk the
    epoch's anchor transaction."""

    what: ToSign
    tx_hash: str
    anchor_tx: str | None = None

    @staticmethod
    def of(body: object) -> Request:
        if not isinstance(body, dict):
            raise InvalidInput("a sign request's body is an object", code="bad_message")
        what = body.get("what")
        sequence = _count(body, "sequence", 1 << 63)
        fee = _count(body, "fee", MAX_FEE)
        if what == "anchor":
            anchor = AnchorToSign(
                _account(body, "account"), sequence, fee, _hex(body, "root"), _entries(body)
            )
            return Request(anchor, _hex(body, "hash"))
        if what == "chunk":
            claimable = _field(body, "claimable", list)
            if len(claimable) > MAX_OPS or any(
                type(i) is not int or not 0 <= i < MAX_OPS for i in claimable
            ):
                raise InvalidInput(f"claimable lists offsets 0..{MAX_OPS - 1}", code="bad_message")
            chunk = ChunkToSign(
                _hex(body, "plan"),
                _count(body, "index", 1 << 31),
                _account(body, "channel"),
                sequence,
                tuple(sorted(set(claimable))),
                fee,
            )
            return Request(chunk, _hex(body, "hash"), _hex(body, "anchor_tx"))
        if what == "inputs":
            sets = _field(body, "sets", list)
            if len(sets) > MAX_VALIDATORS or not all(
                isinstance(entry, list)
                and len(entry) == 3
                and type(entry[0]) is str
                and type(entry[1]) is int
                and type(entry[2]) is str
                for entry in sets
            ):
                raise InvalidInput(
                    "sets lists [validator, last batch number, digest]", code="bad_message"
                )
            sets_ = tuple((str(e[0]), int(e[1]), str(e[2])) for e in sets)
            snapshot = Snapshot.of(body.get("snapshot"))
            inputs = InputsToSign(
                _account(body, "account"),
                sequence,
                fee,
                sets_,
                None if snapshot is None else snapshot.body(),
            )
            return Request(inputs, _hex(body, "hash"))
        raise InvalidInput("what must be anchor, chunk or inputs", code="bad_message")

    def body(self) -> dict[str, Any]:
        extra = {} if self.anchor_tx is None else {"anchor_tx": self.anchor_tx}
        return self.what.body() | {"hash": self.tx_hash} | extra


# -- the follower ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    detail: str


@dataclass(frozen=True)
class DaoAccounts:
    anchor: str
    treasury: str
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Anchored:
    """An epoch's anchor as the ledger holds it."""

    tx_hash: str
    ledger: int
    sequence: int
    envelope_xdr: str
    root: bytes
    assignment: Assignment | None


def anchored(
    horizon: Horizon, tx_hash: str, epoch: int, accounts: DaoAccounts, passphrase: str
) -> Anchored | None:
    """The anchor of ``epoch`` that ``tx_hash`` is, if it is one: a successful
    transaction of the anchor account whose ``ace.epoch`` entry names ``epoch``."""
    record = horizon.transaction_record(tx_hash)
    if record is None or record.get("successful") is not True:
        return None
    if record.get("source_account") != accounts.anchor:
        return None
    try:
        envelope = signed_envelope(str(record["envelope_xdr"]), passphrase)
        ledger = int(record["ledger"])
    except (KeyError, TypeError, ValueError, EOFError):
        return None
    data = anchor_data(envelope)
    value = data.get(DATA_KEY, b"")
    if len(value) != 40 or int.from_bytes(value[:8], "big") != epoch:
        return None
    return Anchored(
        envelope.hash_hex(),
        ledger,
        envelope.transaction.sequence,
        envelope.to_xdr(),
        value[8:],
        Assignment.of_entries(data, accounts.channels),
    )


def assignment_for(
    horizon: Horizon, plan: Plan | None, fee: int, channels: Sequence[str]
) -> Assignment | None:
    """The slots an anchor made now would commit to: each channel's next sequence."""
    if plan is None:
        return None
    bases = []
    for channel in channels:
        sequence = horizon.sequence(channel)
        if sequence is None:
            raise LedgerUnavailable(f"channel {channel} is not on the ledger")
        bases.append((channel, sequence))
    return Assignment(plan.id, fee, len(chunk_plan(plan.id, plan.payouts)), tuple(bases))


class Follower:
    """Answers a leader's ``sign`` requests with this validator's signature, or refuses."""

    def __init__(
        self,
        database: Database,
        horizon: Callable[[], Horizon],
        keypair: Keypair,
        passphrase: str,
        validators: Sequence[str],
        accounts: Callable[[], DaoAccounts],
        *,
        max_fee: int,
    ) -> None:
        self.database = database
        self.horizon = horizon
        self.keypair = keypair
        self.passphrase = passphrase
        self.validators = sorted(validators)
        self.accounts = accounts
        self.max_fee = max_fee
        self._anchors: dict[tuple[int, str], Anchored] = {}  # verified on the ledger
        self._known: dict[tuple[int, str], _Known] = {}
        # epochs whose anchor (input set) the round's leader asked this node to sign, signed
        # or not: their transaction is on its way, so this node's steps watch for it
        self.asked_anchors: set[int] = set()
        self.asked_inputs: set[int] = set()
        self.wake: Callable[[], None] | None = None  # run this node's epoch steps now
        self.agreeing: Agreeing | None = None  # how this validator agrees on inputs
        self.clock: Callable[[], float] = time.time

    def answer(self, message: Message) -> dict[str, str] | Refusal:
        """This validator's signature of the requested transaction (``signer``,
        ``signature``: base64 of the ed25519 signature of the hash), or why not."""
        if message.sender != leader(self.validators, message.epoch, message.round):
            return Refusal(
                "not_leader",
                f"{message.sender[:8]}... does not lead epoch {message.epoch} in round "
                f"{message.round}",
            )
        request = Request.of(message.body)
        what, epoch = request.what, message.epoch
        if not 0 < what.fee <= self.max_fee:
            return Refusal("fee_too_high", f"the fee must be 1..{self.max_fee} stroops")
        if isinstance(what, AnchorToSign | InputsToSign):
            asked = self.asked_anchors if isinstance(what, AnchorToSign) else self.asked_inputs
            asked.add(epoch)
            while len(asked) > KEEP_EPOCHS:
                asked.discard(min(asked))
        if isinstance(what, AnchorToSign):
            built = self._anchor(epoch, what)
        elif isinstance(what, InputsToSign):
            built = self._inputs(epoch, what, message.sender)
        else:
            assert request.anchor_tx is not None
            built = self._chunk(epoch, what, request.anchor_tx)
        if isinstance(built, Refusal):
            log.info(
                "refused to sign %s for epoch %d: %s", what.body()["what"], epoch, built.detail
            )
            return built
        if built != request.tx_hash:
            return Refusal(
                "hash_mismatch",
                f"the transaction rebuilt here hashes to {built}, not {request.tx_hash}",
            )
        if self.wake is not None:
            self.wake()  # this node's steps wait for what it signs: now, not at the next tick
        signature = self.keypair.sign(bytes.fromhex(request.tx_hash))
        return {
            "signer": self.keypair.public_key,
            "signature": base64.b64encode(signature).decode(),
        }

    def _computed(self, epoch: int) -> tuple[bytes, Plan | None] | Refusal:
        with self.database.session() as session:
            record = session.get(EpochRecord, epoch)
            if record is None or record.status not in COMPUTED:
                return Refusal("not_ready", f"epoch {epoch} is not computed here yet")
            return build_tree(session, epoch).root, epoch_plan(session, epoch)

    def _anchor(self, epoch: int, what: AnchorToSign) -> str | Refusal:
        computed = self._computed(epoch)
        if isinstance(computed, Refusal):
            return computed
        root, plan = computed
        if what.root != root.hex():
            log.warning(
                "refused to sign epoch %d's anchor: the leader's root is %s, ours is %s",
                epoch,
                what.root,
                root.hex(),
            )
            return Refusal(
                "root_mismatch", f"epoch {epoch}'s root here is {root.hex()}, not {what.root}"
            )
        accounts = self.accounts()
        if what.account != accounts.anchor:
            return Refusal("wrong_account", "that is not the DAO's anchor account")
        with self.database.session() as session:
            previous = session.get(EpochRecord, epoch - 1)
            if previous is not None and previous.status != "settled":
                return Refusal("not_ready", f"epoch {epoch - 1} is not settled here yet")
        horizon = self.horizon()
        state = horizon.account(accounts.anchor)
        if state is None:
            return Refusal("not_ready", "the anchor account is not on the ledger")
        last = state.data.get(DATA_KEY, b"")
        if len(last) == 40 and int.from_bytes(last[:8], "big") >= epoch:
            return Refusal("wrong_slot", f"epoch {int.from_bytes(last[:8], 'big')} is anchored")
        if what.sequence != state.sequence + 1:
            return Refusal(
                "wrong_slot", f"the anchor account's next sequence is {state.sequence + 1}"
            )
        slots = assignment_for(horizon, plan, what.fee, accounts.channels)
        expected = () if slots is None else tuple(slots.entries())
        if tuple(what.entries) != expected:
            return Refusal("wrong_slot", "the settlement slots are not the channels' next ones")
        envelope = anchor_envelope(
            self.passphrase, what.account, what.sequence, epoch, root, what.fee, expected
        )
        return envelope.hash_hex()

    def _inputs(self, epoch: int, what: InputsToSign, sender: str) -> str | Refusal:
        """Sign an epoch's input set once this validator's cut-off has passed, the set
        includes every batch held here that was sealed before it, and every batch it names
        is held here (fetched from the leader if need be)."""
        assert self.agreeing is not None
        agreeing = self.agreeing
        inputs = Inputs.of(
            epoch, [list(last) for last in what.sets], self.validators, what.snapshot
        )
        cutoff = agreeing.cutoff(epoch)
        if self.clock() < cutoff:
            return Refusal("not_ready", f"epoch {epoch}'s cut-off ({cutoff}) is not past here")
        accounts = self.accounts()
        if what.account != accounts.anchor:
            return Refusal("wrong_account", "that is not the DAO's anchor account")
        with self.database.session() as session:
            last = epochs_repo.last_closed(session)
            waits = unanchored(session)
        if last is not None and epoch <= last:
            return Refusal("wrong_slot", f"epoch {epoch} is closed here")
        if last is not None and epoch > last + 1:
            return Refusal("not_ready", f"epoch {last + 1} is not closed here yet")
        if waits is not None:
            return Refusal("not_ready", waits)
        found = marks(self.horizon(), accounts.anchor)
        if found is None:
            return Refusal("not_ready", "the anchor account is not on the ledger")
        if found.inputs_epoch is not None and found.inputs_epoch >= epoch:
            return Refusal("wrong_slot", f"epoch {found.inputs_epoch}'s inputs are agreed")
        if not found.ready_for_next:
            return Refusal("not_ready", f"epoch {found.inputs_epoch} is not anchored yet")
        if what.sequence != found.sequence + 1:
            return Refusal(
                "wrong_slot", f"the anchor account's next sequence is {found.sequence + 1}"
            )
        refused = self._snapshot(epoch, inputs, accounts.treasury)
        if refused is not None:
            return refused
        leader_ = agreeing.relay.member(sender)
        gaps = agreeing.relay.complete(inputs, [] if leader_ is None else [leader_])
        if gaps:
            named = ", ".join(f"{g.sealer[:8]}...#{g.number}" for g in gaps)
            return Refusal("missing_batch", f"batches not held here: {named}")
        # what the other members hold too: a batch any of them has must not be left out
        agreeing.relay.pull(timeout=agreeing.relay.timeout / 4)
        with agreeing.relay.sealing, self.database.session(write=True) as session:
            left = left_out(session, inputs, cutoff)  # no batch is being sealed meanwhile
            if not left:
                remember(session, inputs)
        if left:
            named = ", ".join(f"{g.sealer[:8]}...#{g.number}" for g in left)
            log.warning("refused epoch %d's input set: it leaves out %s", epoch, named)
            return Refusal("batch_left_out", f"sealed before the cut-off and left out: {named}")
        envelope = inputs_envelope(self.passphrase, what.account, what.sequence, inputs, what.fee)
        return envelope.hash_hex()

    def _snapshot(self, epoch: int, inputs: Inputs, treasury: str) -> Refusal | None:
        """None if the set's balance snapshot is the one read here now, else why not."""
        assert self.agreeing is not None
        governance = self.agreeing.governance
        if governance is None:
            return None
        try:
            with self.database.session() as session:
                mine = governance.read(session, self.horizon(), treasury)
        except LedgerUnavailable as exc:
            return Refusal("not_ready", exc.detail)
        if mine == inputs.snapshot:
            return None
        theirs = "none" if inputs.snapshot is None else inputs.snapshot.summary()
        here = "none" if mine is None else mine.summary()
        log.warning("refused epoch %d's input set: snapshot %s, read here %s", epoch, theirs, here)
        return Refusal("snapshot_mismatch", f"the set's snapshot is {theirs}; read here: {here}")

    def _chunk(self, epoch: int, what: ChunkToSign, anchor_tx: str) -> str | Refusal:
        computed = self._computed(epoch)
        if isinstance(computed, Refusal):
            return computed
        root, plan = computed
        accounts = self.accounts()
        anchor = self._anchors.get((epoch, anchor_tx))
        if anchor is None:
            anchor = anchored(self.horizon(), anchor_tx, epoch, accounts, self.passphrase)
            if anchor is None or anchor.root != root:
                return Refusal(
                    "not_anchored", f"{anchor_tx} is not an anchor of epoch {epoch}'s root here"
                )
            self._anchors[(epoch, anchor_tx)] = anchor
        slots = anchor.assignment
        if plan is None or slots is None or plan.id != what.plan_id or slots.plan_id != plan.id:
            log.warning(
                "refused to sign a payment of epoch %d: the leader's plan is %s, ours is %s",
                epoch,
                what.plan_id,
                plan.id if plan else "none",
            )
            return Refusal("plan_mismatch", f"epoch {epoch}'s plan here is not {what.plan_id}")
        chunks = chunk_plan(plan.id, plan.payouts)
        if what.index >= len(chunks) or slots.chunks != len(chunks) or what.fee != slots.fee:
            return Refusal("plan_mismatch", f"the plan has {len(chunks)} chunks at fee {slots.fee}")
        known = self._epoch(epoch, anchor_tx, accounts.treasury, slots.fee)
        schedule = rounds(slots, chunks, known.hash_of, known.ledger.outcome)
        wanted = next(
            (
                a
                for round_ in schedule
                for a in round_
                if (a.chunk.index, a.channel, a.sequence)
                == (what.index, what.channel, what.sequence)
            ),
            None,
        )
        if wanted is None or wanted.claimable != frozenset(what.claimable):
            return Refusal(
                "wrong_slot", f"chunk {what.index} is not due in that slot (or not as claimable)"
            )
        return known.hash_of(wanted)

    def _epoch(self, epoch: int, anchor_tx: str, treasury: str, fee: int) -> _Known:
        key = (epoch, anchor_tx)
        if key not in self._known:
            builder = EnvelopeBuilder(self.passphrase, treasury, [], fee)
            self._known[key] = _Known(builder, Ledger(self.horizon()))
            while len(self._known) > KEEP_EPOCHS:
                self._known.pop(next(iter(self._known)))
        return self._known[key]


class _Known:
    """What a validator learnt of one epoch's payments: their hashes and, once there,
    their records on the ledger."""

    def __init__(self, builder: EnvelopeBuilder, ledger: Ledger) -> None:
        self.builder = builder
        self.ledger = ledger
        self._hashes: dict[tuple[int, int, frozenset[int]], str] = {}

    def hash_of(self, a: Attempt) -> str:
        key = (a.chunk.index, a.sequence, a.claimable)
        if key not in self._hashes:
            tx = self.builder.transaction(a.chunk, a.channel, a.sequence, a.claimable)
            self._hashes[key] = tx[0].hex()
        return self._hashes[key]


# -- the leader ------------------------------------------------------------------------
RETRY_SECONDS = 0.25


Ask = Callable[[Member, dict[str, Any]], tuple[int, Any]]
"""Send a sealed message to a member; its HTTP status and JSON answer."""


def http_ask(timeout: float) -> Ask:
    """``Ask`` over HTTP: ``POST <member url>/v1/federation/sign``."""

    def ask(member: Member, wire: dict[str, Any]) -> tuple[int, Any]:
        answer = httpx.post(f"{member.url}/v1/federation/sign", json=wire, timeout=timeout)
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, {}

    return ask


@dataclass(frozen=True, slots=True)
class Answer:
    member: str
    outcome: str  # signed | refused | unreachable
    signature: DecoratedSignature | None = None
    code: str = ""
    detail: str = ""


def _later(answers: Sequence[Answer], member: str) -> bool:
    """Whether the member's refusal may turn into a signature soon (not computed yet)."""
    return any(a.member == member and a.code == "not_ready" for a in answers)


class Cosigners:
    """``Signing`` for the leader of ``epoch`` in ``round_``: its own signature and M - 1
    of the members'.

    Every member is asked at once; the first M - 1 valid signatures are used (exactly M in all:
    one more would be ``tx_bad_auth_extra``). Each member's answer is recorded."""

    def __init__(
        self,
        database: Database,
        keypair: Keypair,
        members: Sequence[Member],
        threshold: int,
        passphrase: str,
        ask: Ask,
        epoch: int,
        *,
        round_: int = 0,
        anchor_tx: str | None = None,
        clock: Callable[[], float],
        patience: float = 5.0,
    ) -> None:
        """``patience``: seconds to ask again members that have not computed the epoch yet
        before giving up until the next tick."""
        self.database = database
        self.keypair = keypair
        self.members = list(members)
        self.threshold = threshold
        self.passphrase = passphrase
        self.ask = ask
        self.epoch = epoch
        self.round = round_
        self.anchor_tx = anchor_tx
        self.clock = clock
        self.patience = patience

    def signatures(self, tx_hash: bytes, what: ToSign) -> list[DecoratedSignature]:
        if isinstance(what, AnchorToSign):
            key = f"anchor of epoch {self.epoch}"
        elif isinstance(what, InputsToSign):
            key = f"inputs of epoch {self.epoch}"
        else:
            key = f"chunk {what.index} of plan {what.plan_id[:12]}"
        own = self.keypair.sign_decorated(tx_hash)
        need = self.threshold - 1
        if need <= 0:
            return [own]
        anchor_tx = self.anchor_tx if isinstance(what, ChunkToSign) else None
        request = Request(what, tx_hash.hex(), anchor_tx)
        message = Message(SIGN, self.keypair.public_key, self.epoch, self.round, request.body())
        wire = seal(message, self.keypair, self.passphrase)
        answers = self._gather(wire, tx_hash, need, self.members)
        deadline = time.monotonic() + self.patience
        while (
            sum(a.signature is not None for a in answers) < need
            and (later := [m for m in self.members if _later(answers, m.account)])
            and time.monotonic() < deadline
        ):  # members still computing the epoch: ask them again shortly, not a tick later
            time.sleep(RETRY_SECONDS)
            answers = [a for a in answers if a.member not in {m.account for m in later}]
            answers += self._gather(wire, tx_hash, need, later)
        self._record(key, tx_hash.hex(), answers)
        signed = [a.signature for a in answers if a.signature is not None]
        if len(signed) >= need:
            return [own, *signed[:need]]
        refused = [a for a in answers if a.signature is None]
        for a in refused:
            if a.code not in ("not_ready", "not_leader"):
                log.warning(
                    "%s... %s the %s: %s %s", a.member[:8], a.outcome, key, a.code, a.detail
                )
        refusals = "; ".join(f"{a.member[:8]}... {a.code}: {a.detail}" for a in refused)
        raise NoQuorum(
            f"no_quorum: {len(signed) + 1} of the {self.threshold} signatures needed for the {key} "
            f"({refusals or 'no answer'})"
        )

    def _gather(
        self, wire: dict[str, Any], tx_hash: bytes, need: int, members: Sequence[Member]
    ) -> list[Answer]:
        answers: list[Answer] = []
        pool = ThreadPoolExecutor(len(members), thread_name_prefix="cosign")
        try:
            pending: set[Future[Answer]] = {
                pool.submit(self._ask_one, m, wire, tx_hash) for m in members
            }
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                answers += [f.result() for f in done]
                if sum(a.signature is not None for a in answers) >= need:
                    break
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return answers

    def _ask_one(self, member: Member, wire: dict[str, Any], tx_hash: bytes) -> Answer:
        try:
            status, body = self.ask(member, wire)
        except httpx.HTTPError as exc:
            return Answer(member.account, "unreachable", detail=type(exc).__name__)
        body = body if isinstance(body, dict) else {}
        if status != 200:
            code, detail = str(body.get("error", status)), str(body.get("detail", ""))
            return Answer(member.account, "refused", code=code[:40], detail=detail[:500])
        try:
            raw = base64.b64decode(str(body.get("signature", "")), validate=True)
            signer = Keypair.from_public_key(member.account)
            signer.verify(tx_hash, raw)
        except (binascii.Error, BadSignatureError, ValueError):
            return Answer(member.account, "refused", code="bad_signature")
        return Answer(member.account, "signed", DecoratedSignature(signer.signature_hint(), raw))

    def _record(self, key: str, tx_hash: str, answers: Sequence[Answer]) -> None:
        now = int(self.clock())
        with self.database.session(write=True) as session:
            for a in answers:
                session.add(
                    Vote(
                        epoch=self.epoch,
                        round=self.round,
                        what=key,
                        tx_hash=tx_hash,
                        member=a.member,
                        outcome=a.outcome,
                        code=a.code,
                        detail=a.detail,
                        at=now,
                    )
                )
