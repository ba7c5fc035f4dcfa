"""Whether the DAO accounts are ready for the ledger steps (settlement, anchoring).

``acenode dao bootstrap`` funds the accounts first and sets their signers afterwards, one
account per ledger. An anchor signed by the validators while the anchor account still has
only its master key as signer is refused with ``tx_bad_auth`` (stellar-core counts the
signatures at apply time), so the ledger steps wait until every account is configured.
"""

from __future__ import annotations

from collections.abc import Sequence

from servicelayer.dao.bootstrap import DaoPolicy
from servicelayer.dao.keys import ROLES, DaoKeys
from servicelayer.dao.lock import bootstrap_running
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import AccountState, Horizon

BOOTSTRAP = "run `acenode dao bootstrap`"


class DaoNotReady(LedgerUnavailable):
    """A DAO account is not (yet) configured for the validators' signatures."""

    code = "dao_not_ready"


def signs_for(state: AccountState, signers: Sequence[str]) -> bool:
    """Whether these keys' signatures authorise a medium-threshold operation (and the
    transaction) of the account, as stellar-core counts them: each key must be a signer
    (an extra signature is ``tx_bad_auth_extra``) and their weights must reach the low
    and medium thresholds (at least 1: a threshold of 0 still needs one signer)."""
    weights = [state.signers.get(key, 0) for key in signers]
    needed = max(1, state.thresholds[0], state.thresholds[1])
    return bool(weights) and all(w > 0 for w in weights) and sum(weights) >= needed


def waiting_for(horizon: Horizon, keys: DaoKeys, policy: DaoPolicy, channels: int) -> str | None:
    """What the DAO accounts still lack, or None when they are all configured.

    Raises ``LedgerUnavailable`` when the ledger cannot be asked."""
    if not keys.path(ROLES[0]).exists():
        return f"no DAO accounts yet; {BOOTSTRAP}"
    running = bootstrap_running(keys.directory)
    suffix = " (`acenode dao bootstrap` is running)" if running else f"; {BOOTSTRAP}"
    for role in ROLES:
        if not keys.path(role).exists():
            return f"no key for the {role} account yet{suffix}"
        state = horizon.account(keys.public(role))
        if state is None:
            return f"the {role} account is not on the ledger yet{suffix}"
        if not policy.configured(state):
            return _other_set(role, state, policy) or (
                f"the {role} account's signers and thresholds are not set yet{suffix}"
            )
    for index in range(channels):
        role = DaoKeys.channel_role(index)
        state = horizon.account(keys.public(role)) if keys.path(role).exists() else None
        if state is None:
            return f"the {role} account is not on the ledger yet{suffix}"
        if not policy.configured(state):
            return f"the {role} account's signers and thresholds are not set yet{suffix}"
    return None


def _other_set(role: str, state: AccountState, policy: DaoPolicy) -> str | None:
    """Why the account is not as configured when it is a multisig of another validator set
    (the set changed on the ledger, ``acenode dao signers``), else None."""
    ledger = sorted(k for k, w in state.signers.items() if w > 0 and k != state.account_id)
    if state.master_weight > 0 or not ledger:
        return None
    return (
        f"the {role} account's signers on the ledger are {len(ledger)} validator(s) with M "
        f"{state.thresholds[1]} ({', '.join(k[:8] + '...' for k in ledger)}); this node is "
        f"configured with {len(policy.validators)} with M {policy.threshold}: update "
        "[stellar] validators and threshold, and [federation] members (docs/federation.md)"
    )
