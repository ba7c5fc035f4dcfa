"""``bootstrap``: create and configure the DAO accounts; idempotent.

Each run reads the ledger and does only what is missing: fund accounts that do not exist
(friendbot, or a funding account), then give every account the validators as signers
(weight 1 each), master weight 0 and low/medium/high thresholds M. The channel accounts
too: they are the DAO's, not a node's, so that any validator can submit any settlement
transaction with the same M signatures (docs/federation.md); they are configured
together, up to 19 per transaction (a transaction carries at most 20 signatures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from stellar_sdk import Keypair, TransactionBuilder

from servicelayer.dao.keys import ROLES, DaoKey, DaoKeys
from servicelayer.dao.lock import bootstrap_lock
from servicelayer.errors import LedgerUnavailable, ServiceLayerError, Unauthorized
from servicelayer.ledger.envelope import new_tx, sign
from servicelayer.ledger.horizon import AccountState, Horizon

# XLM given by a funding account (instead of friendbot): the DAO accounts need reserves
# (claimable balances lock 1 XLM each); channels only pay fees.
FUNDING_BALANCE = "100"
CHANNEL_BALANCE = "5"
CHANNELS_PER_TX = 19  # one master-key signature each, at most 20 per transaction
MAX_OPS = 100  # operations per transaction


class Done(StrEnum):
    KEY_CREATED = "key_created"
    FUNDED = "funded"
    SIGNERS_SET = "signers_set"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Step:
    role: str
    account: str
    done: Done
    detail: str = ""


class BootstrapFailed(ServiceLayerError):
    code = "bootstrap_failed"


@dataclass(frozen=True)
class DaoPolicy:
    validators: tuple[str, ...]
    threshold: int

    def wanted_signers(self) -> dict[str, int]:
        return dict.fromkeys(self.validators, 1)

    def configured(self, state: AccountState) -> bool:
        """Whether a multisig account is as the bootstrap leaves it: the validators as
        signers (weight 1), master weight 0, every threshold M."""
        others = {k: w for k, w in state.signers.items() if k != state.account_id}
        m = self.threshold
        return (
            others == self.wanted_signers()
            and state.master_weight == 0
            and state.thresholds == (m, m, m)
        )


def configure(builder: TransactionBuilder, state: AccountState, policy: DaoPolicy) -> None:
    """Append the operations that make ``state``'s account a multisig of ``policy``'s
    validators (weight 1 each, anyone else 0), master weight 0, every threshold M."""
    account = state.account_id
    wanted = policy.wanted_signers()
    others = {k: w for k, w in state.signers.items() if k != account}
    m = policy.threshold
    for signer in sorted(set(wanted) | set(others)):
        weight = wanted.get(signer, 0)
        if others.get(signer) != weight:
            builder.append_ed25519_public_key_signer(signer, weight, source=account)
    builder.append_set_options_op(
        master_weight=0, low_threshold=m, med_threshold=m, high_threshold=m, source=account
    )


class Bootstrap:
    def __init__(
        self,
        horizon: Horizon,
        network_passphrase: str,
        keys: DaoKeys,
        policy: DaoPolicy,
        signer_keys: Sequence[Keypair],
        *,
        friendbot_url: str | None,
        funding_key: Keypair | None = None,
        base_fee: int = 100,
    ) -> None:
        self.horizon = horizon
        self.passphrase = network_passphrase
        self.keys = keys
        self.policy = policy
        self.signer_keys = {kp.public_key: kp for kp in signer_keys}
        self.friendbot_url = friendbot_url
        self.funding_key = funding_key
        self.base_fee = base_fee

    def run(self, channels: int, *, wait: bool = True) -> list[Step]:
        """Do what is missing, holding the data directory's bootstrap lock: ``wait=False``
        raises ``BootstrapRunning`` when another process is bootstrapping."""
        with bootstrap_lock(self.keys.directory, wait=wait):
            return self._run(channels)

    def _run(self, channels: int) -> list[Step]:
        roles = [*ROLES, *(DaoKeys.channel_role(i) for i in range(channels))]
        keys = [self.keys.ensure(role) for role in roles]
        steps = [Step(k.role, k.account, Done.KEY_CREATED) for k in keys if k.created]
        missing = [k for k in keys if self.horizon.account(k.account) is None]
        self._fund(missing)
        steps += [Step(k.role, k.account, Done.FUNDED) for k in missing]
        for key in keys:
            if key.role in ROLES:
                step = self._multisig(key)
                if step is not None:
                    steps.append(step)
        channel_keys = [k for k in keys if k.role not in ROLES]
        per_tx = min(CHANNELS_PER_TX, MAX_OPS // (len(self.policy.validators) + 1))
        for start in range(0, len(channel_keys), per_tx):
            steps += self._multisig_channels(channel_keys[start : start + per_tx])
        if not steps:
            steps = [Step(k.role, k.account, Done.UNCHANGED) for k in keys]
        return steps

    # -- funding -------------------------------------------------------------------------
    def _fund(self, missing: Sequence[DaoKey]) -> None:
        if not missing:
            return
        if self.funding_key is None:
            if self.friendbot_url is None:
                raise BootstrapFailed("no friendbot and no funding key to create the accounts")
            for key in missing:
                self.horizon.fund(self.friendbot_url, key.account)
            return
        funder = self.horizon.account(self.funding_key.public_key)
        if funder is None:
            raise BootstrapFailed(f"the funding account {self.funding_key.public_key} is missing")
        builder = self._builder(funder)
        for key in missing:
            balance = CHANNEL_BALANCE if key.role.startswith("channel") else FUNDING_BALANCE
            builder.append_create_account_op(key.account, balance)
        self._submit(sign(builder.build(), [self.funding_key]).xdr, "funding the DAO accounts")

    # -- signers and thresholds ----------------------------------------------------------
    def _multisig(self, key: DaoKey) -> Step | None:
        state = self.horizon.account(key.account)
        if state is None:
            raise LedgerUnavailable(f"{key.role} {key.account} is not on the ledger yet")
        if self.policy.configured(state):
            return None
        builder = self._builder(state)
        configure(builder, state, self.policy)
        signed = sign(builder.build(), self._authorising(key, state))
        self._submit(signed.xdr, f"configuring the {key.role} signers")
        return self._configured(key)

    def _multisig_channels(self, keys: Sequence[DaoKey]) -> list[Step]:
        """Configure these channel accounts in one transaction (the first is its source)."""
        states = [(key, self._state(key.account)) for key in keys]
        todo = [(key, state) for key, state in states if not self.policy.configured(state)]
        if not todo:
            return []
        builder = self._builder(todo[0][1])
        signers: dict[str, Keypair] = {}
        for key, state in todo:
            configure(builder, state, self.policy)
            signers |= {kp.public_key: kp for kp in self._authorising(key, state)}
        signed = sign(builder.build(), signers.values())
        self._submit(signed.xdr, f"configuring the signers of {len(todo)} channel accounts")
        return [self._configured(key) for key, _ in todo]

    def _configured(self, key: DaoKey) -> Step:
        detail = (
            f"{self.policy.threshold} of {len(self.policy.validators)} validators, master weight 0"
        )
        return Step(key.role, key.account, Done.SIGNERS_SET, detail)

    def _authorising(self, key: DaoKey, state: AccountState) -> list[Keypair]:
        """Keys that can change the account now: its master key while it still has weight,
        else the validators' keys this node holds (M of them are needed)."""
        current = {k: w for k, w in state.signers.items() if w > 0}
        chosen = [kp for k, kp in sorted(self.signer_keys.items()) if k in current]
        if state.master_weight > 0:
            chosen.insert(0, key.keypair)
        if sum(current.get(kp.public_key, 0) for kp in chosen) < state.thresholds[2]:
            raise Unauthorized(
                f"changing the {key.role} signers needs weight {state.thresholds[2]}; this node "
                "holds too few of the current signers' keys",
                code="tx_bad_auth",
            )
        return chosen

    # -- helpers -------------------------------------------------------------------------
    def validator_keys(self) -> list[Keypair]:
        """M of the validators' keys this node holds (the multisig accounts' signers)."""
        usable = [kp for k, kp in sorted(self.signer_keys.items()) if k in self.policy.validators]
        if len(usable) < self.policy.threshold:
            raise BootstrapFailed(
                f"the DAO accounts need {self.policy.threshold} validator signatures; this node "
                f"holds {len(usable)} of the validators' keys (stellar.signer_key_files)"
            )
        return usable[: self.policy.threshold]

    def _state(self, account: str) -> AccountState:
        state = self.horizon.account(account)
        if state is None:
            raise LedgerUnavailable(f"{account} is not on the ledger")
        return state

    def _builder(self, source: AccountState) -> TransactionBuilder:
        return new_tx(source.account_id, source.sequence, self.passphrase, self.base_fee)

    def _submit(self, envelope_xdr: str, what: str) -> None:
        outcome = self.horizon.submit(envelope_xdr)
        if outcome.ok:
            return
        raise BootstrapFailed(f"{what} failed: {outcome.codes}; run the bootstrap again")
