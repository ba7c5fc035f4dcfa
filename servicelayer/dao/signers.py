"""A change of the validator set, co-signed by the validators one after another.

The validator set is every DAO account's signer set, and no validator of a federation
holds M keys, so a change is one transaction (source: the treasury) that makes each DAO
account a multisig of the new set, as ``acenode dao bootstrap`` configures them
(``configure``), passed from operator to operator: each checks that it changes nothing
but the DAO accounts' signers and thresholds, reads what it does, and adds its node key's
signature; once M have signed, any of them submits it (docs/federation.md, "Joining,
leaving, replacing a validator"). It is valid for ``VALID_SECONDS`` and until the
treasury's next transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stellar_sdk import Keypair, SetOptions, TransactionEnvelope
from stellar_sdk.exceptions import BadSignatureError, SdkError

from servicelayer.dao.bootstrap import MAX_OPS, DaoPolicy, configure
from servicelayer.errors import Conflict, InvalidInput, LedgerUnavailable
from servicelayer.ledger.envelope import new_tx
from servicelayer.ledger.horizon import Horizon

VALID_SECONDS = 86_400
MAX_XDR = 64 * 1024  # a change of 100 operations is about 10 KiB


@dataclass(frozen=True, slots=True)
class AccountChange:
    role: str
    account: str
    signers: dict[str, int]  # signer -> weight it is given (0: removed)
    thresholds: tuple[int | None, int | None, int | None]  # low, medium, high
    master_weight: int | None


@dataclass(frozen=True, slots=True)
class SignerChange:
    envelope: TransactionEnvelope
    accounts: tuple[AccountChange, ...]

    def signed_by(self, keys: Iterable[str]) -> list[str]:
        """Which of ``keys`` signed it."""
        tx_hash = self.envelope.hash()
        return sorted(
            k for k in set(keys) if _signed(self.envelope, Keypair.from_public_key(k), tx_hash)
        )

    def xdr(self) -> str:
        return self.envelope.to_xdr()


def propose(
    horizon: Horizon,
    passphrase: str,
    accounts: Mapping[str, str],
    policy: DaoPolicy,
    base_fee: int,
) -> SignerChange:
    """The transaction that makes every DAO account (``accounts``: role -> account) a
    multisig of ``policy``'s validators, unsigned."""
    states = {}
    for role, account in accounts.items():
        state = horizon.account(account)
        if state is None:
            raise LedgerUnavailable(f"the {role} account {account} is not on the ledger")
        states[role] = state
    if all(policy.configured(state) for state in states.values()):
        raise Conflict("every DAO account already has these signers", code="no_change")
    treasury = states["treasury"]
    builder = new_tx(
        treasury.account_id, treasury.sequence, passphrase, base_fee, timeout=VALID_SECONDS
    )
    for role in accounts:
        configure(builder, states[role], policy)
    if len(builder.operations) > MAX_OPS:
        raise InvalidInput(
            f"the change needs {len(builder.operations)} operations, more than {MAX_OPS}",
            code="too_many_operations",
        )
    return read(builder.build().to_xdr(), passphrase, accounts, base_fee)


def read(
    xdr: str, passphrase: str, accounts: Mapping[str, str], max_fee_per_op: int
) -> SignerChange:
    """The change in ``xdr``, checked: a transaction of the treasury, at most
    ``max_fee_per_op`` per operation, whose every operation sets a DAO account's signers
    (keys, weight 1 or 0), its thresholds (all M) or its master weight (0), nothing else."""
    if len(xdr) > MAX_XDR:
        raise InvalidInput("that is not a signer change: too large", code="not_a_signer_change")
    try:
        envelope = TransactionEnvelope.from_xdr(xdr.strip(), passphrase)
    except (SdkError, ValueError, TypeError) as exc:
        raise InvalidInput(
            f"that is not a transaction of this network: {type(exc).__name__}",
            code="not_a_signer_change",
        ) from None
    roles = {account: role for role, account in accounts.items()}
    tx = envelope.transaction
    if tx.source.account_id != accounts.get("treasury"):
        raise InvalidInput("its source is not the treasury", code="not_a_signer_change")
    if tx.fee > max_fee_per_op * len(tx.operations):
        raise InvalidInput(
            f"its fee is above {max_fee_per_op} stroops per operation", code="not_a_signer_change"
        )
    changes: dict[str, AccountChange] = {}
    for op in tx.operations:
        account = tx.source.account_id if op.source is None else op.source.account_id
        if not isinstance(op, SetOptions) or account not in roles:
            raise InvalidInput(
                f"it has a {type(op).__name__} operation on {account[:8]}..., "
                "not a DAO account's set_options",
                code="not_a_signer_change",
            )
        others = (op.inflation_dest, op.clear_flags, op.set_flags, op.home_domain)
        if any(v is not None for v in others) or op.master_weight not in (None, 0):
            raise InvalidInput(
                "it changes more than signers and thresholds", code="not_a_signer_change"
            )
        if op.signer is not None and (
            op.signer.signer_key.encoded_signer_key[0] != "G" or op.signer.weight not in (0, 1)
        ):
            raise InvalidInput(
                "a signer it sets is not a key of weight 1 or 0", code="not_a_signer_change"
            )
        before = changes.get(account) or AccountChange(
            roles[account], account, {}, (None, None, None), None
        )
        signers = dict(before.signers)
        if op.signer is not None:
            signers[op.signer.signer_key.encoded_signer_key] = op.signer.weight
        low, med, high = before.thresholds
        thresholds = (
            low if op.low_threshold is None else op.low_threshold,
            med if op.med_threshold is None else op.med_threshold,
            high if op.high_threshold is None else op.high_threshold,
        )
        master = op.master_weight if op.master_weight is not None else before.master_weight
        changes[account] = AccountChange(roles[account], account, signers, thresholds, master)
    if not changes:
        raise InvalidInput("it has no operation", code="not_a_signer_change")
    for change in changes.values():
        if change.thresholds != (None, None, None) and (
            len(set(change.thresholds)) != 1 or not change.thresholds[0]
        ):
            raise InvalidInput(
                f"it does not set the {change.role}'s thresholds to one M",
                code="not_a_signer_change",
            )
    return SignerChange(envelope, tuple(changes.values()))


def outcome(change: SignerChange, horizon: Horizon) -> tuple[list[str], int]:
    """The validator set and M every DAO account has once ``change`` applies to what the
    ledger holds now; refused unless they are one set, the same on every account, that
    can still sign (1 <= M <= N): a change that left an account unable to sign would
    lock it for good."""
    after: set[tuple[tuple[str, ...], int]] = set()
    for a in change.accounts:
        state = horizon.account(a.account)
        if state is None:
            raise LedgerUnavailable(f"the {a.role} account {a.account} is not on the ledger")
        weights = {k: w for k, w in state.signers.items() if k != a.account} | a.signers
        m = state.thresholds[1] if a.thresholds[1] is None else a.thresholds[1]
        after.add((tuple(sorted(k for k, w in weights.items() if w > 0)), m))
    if len(after) != 1:
        raise InvalidInput(
            "it leaves the DAO accounts with different signers", code="not_a_signer_change"
        )
    ((validators, m),) = after
    if not 1 <= m <= len(validators):
        raise InvalidInput(
            f"it leaves {len(validators)} signer(s) with M {m}: the accounts could not sign",
            code="not_a_signer_change",
        )
    return list(validators), m


def cosign(change: SignerChange, keypair: Keypair) -> SignerChange:
    """``change`` with this key's signature added (once)."""
    if not _signed(change.envelope, keypair, change.envelope.hash()):
        change.envelope.sign(keypair)
    return change


def _signed(envelope: TransactionEnvelope, key: Keypair, tx_hash: bytes) -> bool:
    for signature in envelope.signatures:
        if signature.signature_hint == key.signature_hint():
            try:
                key.verify(tx_hash, signature.signature)
                return True
            except BadSignatureError:
                continue
    return False
