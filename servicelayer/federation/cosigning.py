"""Co-signing: a leader asks the other validators to sign the epoch's DAO transactions;
each rebuilds the transaction from what it computed itself and signs only if every byte
matches (docs/federation.md).

The leader (``Cosigners``, a ``Signing``) sends each member a ``sign`` message: what is to
be signed (``ToSign``: an anchor, or a chunk of the epoch's plan, with the source slot and
fee the leader chose) and the transaction's hash. A member (``Follower``) answers with its
signature of that hash, or refuses with a reason:

* the epoch is not computed on this validator yet (``not_ready``: ask again later);
* the root or the plan differs from its own (``root_mismatch``, ``plan_mismatch``: both
  are logged; a leader with other inputs gets no signature);
* the rebuilt transaction has another hash (``hash_mismatch``);
* a payment of an epoch whose root is not anchored on the ledger (``not_anchored``);
* another transaction it signed for the same anchor or chunk may still apply
  (``pending_elsewhere``), or one already did (``already_applied``).

The last rule makes every payment exactly once across leaders: a validator never has two
transactions for one chunk live at once unless they use the same (source, sequence) slot,
which excludes them from each other on the ledger. Two sets of M signatures share an
honest validator when 2M > N (the federation's settings require it), so no two envelopes
for one chunk can both gather M signatures while both could apply.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx
from sqlalchemy import select
from stellar_sdk import Keypair, StrKey
from stellar_sdk.decorated_signature import DecoratedSignature
from stellar_sdk.exceptions import BadSignatureError

from servicelayer.epochs.anchoring import anchor_envelope, build_tree
from servicelayer.epochs.steps import epoch_plan
from servicelayer.errors import Conflict, InvalidInput, LedgerUnavailable
from servicelayer.federation.members import Member, leader
from servicelayer.federation.messages import Message, seal
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.records import memo_of
from servicelayer.ledger.signing import AnchorToSign, ChunkToSign, ToSign
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import MAX_OPS, chunk_plan
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from servicelayer.storage.federation_models import SignedByUs, Vote

log = logging.getLogger("acenode.federation")
SIGN = "sign"
KINDS = (SIGN,)
COMPUTED = ("computed", "anchored", "settled")
MAX_FEE = 1 << 31  # an operation's fee bid, stroops (a transaction's fee is a uint32)


class NoQuorum(LedgerUnavailable):
    """Fewer than M validators signed: nothing is submitted; the next tick asks again."""

    code = "no_quorum"


def anchor_key(epoch: int) -> str:
    return f"anchor:{epoch}"


def chunk_key(plan_id: str, index: int) -> str:
    return f"chunk:{plan_id}:{index}"


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
            anchor = AnchorToSign(_account(body, "account"), sequence, fee, _hex(body, "root"))
            return Request(anchor, _hex(body, "hash"))
        if what == "chunk":
            claimable = _field(body, "claimable", list)
            if len(claimable) > MAX_OPS or any(
                type(i) is not int or not 0 <= i < MAX_OPS for i in claimable
            ):
                raise InvalidInput(f"claimable lists offsets 0..{MAX_OPS - 1}", code="bad_message")
            bound = body.get("max_ledger")
            if bound is not None:
                bound = _count(body, "max_ledger", 1 << 32)
            chunk = ChunkToSign(
                _hex(body, "plan"),
                _count(body, "index", 1 << 31),
                _account(body, "channel"),
                sequence,
                tuple(sorted(set(claimable))),
                fee,
                bound,
            )
            return Request(chunk, _hex(body, "hash"), _hex(body, "anchor_tx"))
        raise InvalidInput("what must be anchor or chunk", code="bad_message")

    def body(self) -> dict[str, Any]:
        extra = {} if self.anchor_tx is None else {"anchor_tx": self.anchor_tx}
        return self.what.body() | {"hash": self.tx_hash} | extra


# -- what this validator signed -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Slot:
    """A transaction this validator is about to sign: what it settles (``key``) and the
    (source, sequence) slot and ledger bound it uses."""

    key: str
    tx_hash: str
    source: str
    sequence: int
    max_ledger: int | None = None

    @staticmethod
    def of(what: ToSign, epoch: int, tx_hash: str) -> Slot:
        if isinstance(what, AnchorToSign):
            return Slot(anchor_key(epoch), tx_hash, what.account, what.sequence)
        key = chunk_key(what.plan_id, what.index)
        return Slot(key, tx_hash, what.channel, what.sequence, what.max_ledger)


class SignatureLog:
    """Every DAO transaction this validator signs, as leader or for a leader, goes through
    ``admit``: it is signed only if no other transaction for the same anchor or chunk may
    still apply in another slot, and none has applied."""

    def __init__(
        self, database: Database, horizon: Callable[[], Horizon], clock: Callable[[], float]
    ) -> None:
        self.database = database
        self.horizon = horizon
        self.clock = clock
        self._lock = threading.Lock()  # one check-then-record at a time

    def admit(self, slot: Slot, epoch: int, leader_: str) -> Refusal | None:
        with self._lock:
            with self.database.session() as session:
                rows = list(session.scalars(select(SignedByUs).where(SignedByUs.key == slot.key)))
            if any(row.tx_hash == slot.tx_hash for row in rows):
                return None
            refusal = self._conflict(slot, rows)
            if refusal is not None:
                return refusal
            with self.database.session(write=True) as session:
                session.add(
                    SignedByUs(
                        key=slot.key,
                        tx_hash=slot.tx_hash,
                        epoch=epoch,
                        leader=leader_,
                        source=slot.source,
                        sequence=slot.sequence,
                        max_ledger=slot.max_ledger,
                        signed_at=int(self.clock()),
                    )
                )
            return None

    def _conflict(self, slot: Slot, rows: Sequence[SignedByUs]) -> Refusal | None:
        """Asks the ledger, in an order that cannot lie (servicelayer.ledger.once): each
        source's sequence number and the latest ledger first, then the hashes."""
        if not rows:
            return None
        horizon = self.horizon()
        sequences = {row.source: horizon.sequence(row.source) or 0 for row in rows}
        head = horizon.head().sequence
        for row in rows:
            found = horizon.transaction(row.tx_hash)
            if found is not None and found.successful:
                return Refusal(
                    "already_applied",
                    f"{slot.key} was applied by {row.tx_hash} in ledger {found.ledger}",
                    applied_tx=row.tx_hash,
                )
            same_slot = (row.source, row.sequence) == (slot.source, slot.sequence)
            expired = row.max_ledger is not None and head >= row.max_ledger - 1
            dead = found is not None or sequences[row.source] >= row.sequence or expired
            if not dead and not same_slot:
                bound = "" if row.max_ledger is None else f" (valid before ledger {row.max_ledger})"
                return Refusal(
                    "pending_elsewhere",
                    f"{slot.key} is signed as {row.tx_hash} in slot {row.source}:{row.sequence}"
                    f"{bound}, which may still apply",
                )
        return None

    def signed(self, key: str) -> list[SignedByUs]:
        with self.database.session() as session:
            return list(session.scalars(select(SignedByUs).where(SignedByUs.key == key)))


# -- the follower ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    detail: str
    applied_tx: str | None = None  # already_applied: the transaction that did it


@dataclass(frozen=True)
class DaoAccounts:
    anchor: str
    treasury: str


class Follower:
    """Answers a leader's ``sign`` requests with this validator's signature, or refuses."""

    def __init__(
        self,
        log_: SignatureLog,
        keypair: Keypair,
        passphrase: str,
        validators: Sequence[str],
        accounts: Callable[[], DaoAccounts],
        *,
        max_anchor_fee: int,
        max_bound: int = 1000,
    ) -> None:
        self.signatures = log_
        self.database = log_.database
        self.keypair = keypair
        self.passphrase = passphrase
        self.validators = sorted(validators)
        self.accounts = accounts
        self.max_anchor_fee = max_anchor_fee
        self.max_bound = max_bound
        self._anchored: dict[int, str] = {}  # epoch -> its anchor, seen on the ledger

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
        if isinstance(what, AnchorToSign):
            built = self._anchor(epoch, what)
        else:
            built = self._chunk(epoch, what, request)
        if isinstance(built, Refusal):
            return built
        if built != request.tx_hash:
            return Refusal(
                "hash_mismatch",
                f"the transaction rebuilt here hashes to {built}, not {request.tx_hash}",
            )
        slot = Slot.of(what, epoch, request.tx_hash)
        refused = self.signatures.admit(slot, epoch, message.sender)
        if refused is not None:
            return refused
        signature = self.keypair.sign(bytes.fromhex(request.tx_hash))
        return {
            "signer": self.keypair.public_key,
            "signature": base64.b64encode(signature).decode(),
        }

    def _root(self, epoch: int) -> bytes | Refusal:
        with self.database.session() as session:
            record = session.get(EpochRecord, epoch)
            if record is None or record.status not in COMPUTED:
                return Refusal("not_ready", f"epoch {epoch} is not computed here yet")
            return build_tree(session, epoch).root

    def _anchor(self, epoch: int, what: AnchorToSign) -> str | Refusal:
        root = self._root(epoch)
        if isinstance(root, Refusal):
            return root
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
        if what.account != self.accounts().anchor:
            return Refusal("wrong_account", "that is not the DAO's anchor account")
        if not 0 < what.fee <= self.max_anchor_fee:
            return Refusal(
                "fee_too_high", f"the anchor's fee must be 1..{self.max_anchor_fee} stroops"
            )
        envelope = anchor_envelope(
            self.passphrase, what.account, what.sequence, epoch, root, what.fee
        )
        return envelope.hash_hex()

    def _chunk(self, epoch: int, what: ChunkToSign, request: Request) -> str | Refusal:
        root = self._root(epoch)
        if isinstance(root, Refusal):
            return root
        assert request.anchor_tx is not None
        refused = self._check_anchored(epoch, root, request.anchor_tx)
        if refused is not None:
            return refused
        if what.max_ledger is None:
            return Refusal("unbounded", "a federation's payments carry a ledger bound")
        if what.max_ledger > self.signatures.horizon().head().sequence + self.max_bound:
            return Refusal(
                "bound_too_far", f"the ledger bound may be at most {self.max_bound} ledgers ahead"
            )
        with self.database.session() as session:
            plan = epoch_plan(session, epoch)
        if plan is None or plan.id != what.plan_id:
            ours = plan.id if plan else "none"
            log.warning(
                "refused to sign a payment of epoch %d: the leader's plan is %s, ours is %s",
                epoch,
                what.plan_id,
                ours,
            )
            return Refusal(
                "plan_mismatch", f"epoch {epoch}'s plan here is {ours}, not {what.plan_id}"
            )
        chunks = chunk_plan(plan.id, plan.payouts)
        if what.index >= len(chunks):
            return Refusal("plan_mismatch", f"the plan has {len(chunks)} chunks")
        builder = EnvelopeBuilder(self.passphrase, self.accounts().treasury, [], what.fee)
        tx_hash, _ = builder.transaction(
            chunks[what.index],
            what.channel,
            what.sequence,
            frozenset(what.claimable),
            max_ledger=what.max_ledger,
        )
        return tx_hash.hex()

    def _check_anchored(self, epoch: int, root: bytes, anchor_tx: str) -> Refusal | None:
        """The epoch's payments are signed only once its root (ours) is anchored."""
        if self._anchored.get(epoch) == anchor_tx:
            return None
        if anchored_root(self.signatures.horizon(), anchor_tx, self.accounts().anchor) != root:
            return Refusal(
                "not_anchored", f"epoch {epoch}'s root is not anchored by {anchor_tx} on the ledger"
            )
        self._anchored[epoch] = anchor_tx
        return None


def anchored_root(horizon: Horizon, tx_hash: str, anchor: str) -> bytes | None:
    """The root a successful transaction of the anchor account put on the ledger."""
    record = horizon.transaction_record(tx_hash)
    if record is None or record.get("successful") is not True:
        return None
    if record.get("source_account") != anchor:
        return None
    memo = memo_of(record)
    return memo.raw if memo is not None and memo.kind == "hash" else None


# -- the leader ------------------------------------------------------------------------
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
    applied_tx: str | None = None


class AppliedElsewhere(Conflict):
    """What was to be signed was already done by another transaction (``tx_hash``): a
    validator refused with ``already_applied``."""

    code = "already_applied"

    def __init__(self, detail: str, tx_hash: str) -> None:
        super().__init__(detail)
        self.tx_hash = tx_hash


class Cosigners:
    """``Signing`` for the leader of ``epoch`` in ``round_``: its own signature and M - 1
    of the members'.

    The leader's own signature goes through the same ``SignatureLog`` as any other. Every
    member is asked at once; the first M - 1 valid signatures are used (exactly M in all:
    one more would be ``tx_bad_auth_extra``). Each member's answer is recorded."""

    def __init__(
        self,
        signatures: SignatureLog,
        keypair: Keypair,
        members: Sequence[Member],
        threshold: int,
        passphrase: str,
        ask: Ask,
        epoch: int,
        *,
        round_: int = 0,
        anchor_tx: str | None = None,
    ) -> None:
        self.log = signatures
        self.keypair = keypair
        self.members = list(members)
        self.threshold = threshold
        self.passphrase = passphrase
        self.ask = ask
        self.epoch = epoch
        self.round = round_
        self.anchor_tx = anchor_tx

    def signatures(self, tx_hash: bytes, what: ToSign) -> list[DecoratedSignature]:
        slot = Slot.of(what, self.epoch, tx_hash.hex())
        refused = self.log.admit(slot, self.epoch, self.keypair.public_key)
        if refused is not None:
            self._refused(refused, slot.key)
        own = self.keypair.sign_decorated(tx_hash)
        need = self.threshold - 1
        if need <= 0:
            return [own]
        anchor_tx = self.anchor_tx if isinstance(what, ChunkToSign) else None
        request = Request(what, tx_hash.hex(), anchor_tx)
        message = Message(SIGN, self.keypair.public_key, self.epoch, self.round, request.body())
        answers = self._gather(seal(message, self.keypair, self.passphrase), tx_hash, need)
        self._record(slot.key, tx_hash.hex(), answers)
        signed = [a.signature for a in answers if a.signature is not None]
        if len(signed) >= need:
            return [own, *signed[:need]]
        for answer in answers:
            if answer.applied_tx is not None:
                self._refused(Refusal(answer.code, answer.detail, answer.applied_tx), slot.key)
        refusals = "; ".join(
            f"{a.member[:8]}... {a.code}: {a.detail}" for a in answers if a.signature is None
        )
        raise NoQuorum(
            f"{len(signed) + 1} of the {self.threshold} signatures needed for {slot.key} "
            f"({refusals or 'no answer'})"
        )

    def _refused(self, refusal: Refusal, key: str) -> NoReturn:
        if refusal.applied_tx is not None:
            raise AppliedElsewhere(refusal.detail, refusal.applied_tx)
        raise Conflict(f"this validator does not sign {key}: {refusal.detail}", code=refusal.code)

    def _gather(self, wire: dict[str, Any], tx_hash: bytes, need: int) -> list[Answer]:
        answers: list[Answer] = []
        pool = ThreadPoolExecutor(len(self.members), thread_name_prefix="cosign")
        try:
            pending: set[Future[Answer]] = {
                pool.submit(self._ask_one, m, wire, tx_hash) for m in self.members
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
            applied = body.get("applied_tx")
            return Answer(
                member.account,
                "refused",
                code=str(body.get("error", status))[:40],
                detail=str(body.get("detail", ""))[:500],
                applied_tx=applied if type(applied) is str and len(applied) == 64 else None,
            )
        try:
            raw = base64.b64decode(str(body.get("signature", "")), validate=True)
            signer = Keypair.from_public_key(member.account)
            signer.verify(tx_hash, raw)
        except (binascii.Error, BadSignatureError, ValueError):
            return Answer(member.account, "refused", code="bad_signature")
        return Answer(member.account, "signed", DecoratedSignature(signer.signature_hint(), raw))

    def _record(self, key: str, tx_hash: str, answers: Sequence[Answer]) -> None:
        now = int(self.log.clock())
        with self.log.database.session(write=True) as session:
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
