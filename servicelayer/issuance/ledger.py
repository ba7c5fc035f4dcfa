"""The issuance's side of the ledger: issuer accounts, their flags, the distribution's
trustline, and the issuer's own transactions (mints, the lock).

Accounts are created and given the validators as signers by the DAO bootstrap's own code
(``IssuerAccounts`` extends ``Bootstrap``); every transaction here has the issuer as its
source and is signed by M validator keys, like the bootstrap's. Submission and lookup by
hash go through the node's ``Horizon`` adapter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from stellar_sdk import AuthorizationFlag, TrustLineFlags

from contracts.issuance import AssetFlags, IssuedAsset
from servicelayer.dao.bootstrap import Bootstrap
from servicelayer.dao.keys import DaoKey
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.envelope import SignedTx, sign
from servicelayer.ledger.money import format_amount, sdk_asset

_MEMO_TAG = "acenode-issuance"
MINT, CLAWBACK, LOCK = "mint", "clawback", "lock"


@dataclass(frozen=True, slots=True)
class IssuerOp:
    """What one issuer transaction does: ``kind`` (mint, clawback, lock), the account it
    pays or claws back from, and the stroops."""

    kind: str
    account: str
    amount: int


@dataclass(frozen=True, slots=True)
class IssuerView:
    """What the ledger says about an issuer account and the distribution's trustline."""

    flags: AssetFlags
    signers: dict[str, int]  # weight > 0 only (master key included)
    trustline: bool
    authorized: bool
    distribution_balance: int

    @property
    def locked(self) -> bool:
        return not self.signers


def account_flags(flags: AssetFlags) -> int:
    value = 0
    if flags.auth_required:
        value |= AuthorizationFlag.AUTHORIZATION_REQUIRED
    if flags.revocable:
        value |= AuthorizationFlag.AUTHORIZATION_REVOCABLE
    if flags.clawback_enabled:
        value |= AuthorizationFlag.AUTHORIZATION_CLAWBACK_ENABLED
    return value


def memo_hash(code: str, issuer: str, action_seq: int) -> bytes:
    """Binds a transaction to the contract action (journal seq) it carries out."""
    return hashlib.sha256(f"{_MEMO_TAG}:{code}:{issuer}:{action_seq}".encode()).digest()


class IssuerAccounts(Bootstrap):
    """The bootstrap's funding and multisig steps, for one issuer account at a time."""

    def ensure_account(self, key: DaoKey) -> None:
        """Create ``key``'s account if missing; validators as signers, master weight 0."""
        if self.horizon.account(key.account) is None:
            self._fund([key])
        self._multisig(key)

    def view(self, asset: IssuedAsset) -> IssuerView:
        issuer = self.horizon.account(asset.asset.issuer)
        if issuer is None:
            raise LedgerUnavailable(f"issuer {asset.asset.issuer} is not on the ledger")
        distribution = self.horizon.account(asset.distribution)
        held = distribution.balances if distribution is not None else {}
        line = str(asset.asset)
        return IssuerView(
            AssetFlags(
                issuer.has_flag(AuthorizationFlag.AUTHORIZATION_REQUIRED),
                issuer.has_flag(AuthorizationFlag.AUTHORIZATION_REVOCABLE),
                issuer.has_flag(AuthorizationFlag.AUTHORIZATION_CLAWBACK_ENABLED),
            ),
            {key: weight for key, weight in issuer.signers.items() if weight > 0},
            line in held,
            distribution is not None and line in held and line not in distribution.unauthorized,
            held.get(line, 0),
        )

    def configure(self, asset: IssuedAsset) -> bool:
        """Set the issuer's flags and open (and authorise) the distribution's trustline;
        only what the ledger does not have yet. Returns whether a transaction was sent."""
        view = self.view(asset)
        wanted = account_flags(asset.flags)
        missing_flags = wanted & ~account_flags(view.flags)
        token = sdk_asset(asset.asset)
        state = self._state(asset.asset.issuer)
        builder = self._builder(state)
        if missing_flags:
            builder.append_set_options_op(set_flags=missing_flags)
        if not view.trustline:
            builder.append_change_trust_op(token, source=asset.distribution)
        if asset.flags.auth_required and not view.authorized:
            builder.append_set_trust_line_flags_op(
                asset.distribution, token, set_flags=TrustLineFlags.AUTHORIZED_FLAG
            )
        if not builder.operations:
            return False
        signed = sign(builder.build(), self.validator_keys())
        self._submit(signed.xdr, f"configuring {asset.asset.code}'s issuer and trustline")
        return True

    def issuer_tx(self, asset: IssuedAsset, op: IssuerOp, action_seq: int) -> SignedTx:
        """A mint (payment issuer -> ``op.account``), a clawback (from ``op.account``) or
        the lock (every signer weight 0), at the issuer's next sequence number, signed by
        M validators."""
        state = self._state(asset.asset.issuer)
        builder = self._builder(state).add_hash_memo(
            memo_hash(asset.asset.code, asset.asset.issuer, action_seq)
        )
        token = sdk_asset(asset.asset)
        if op.kind == MINT:
            if asset.flags.auth_required and op.account != asset.distribution:
                builder.append_set_trust_line_flags_op(  # a holder's line needs the issuer's yes
                    op.account, token, set_flags=TrustLineFlags.AUTHORIZED_FLAG
                )
            builder.append_payment_op(op.account, token, format_amount(op.amount))
        elif op.kind == CLAWBACK:
            builder.append_clawback_op(token, op.account, format_amount(op.amount))
        else:
            for signer in sorted(k for k in state.signers if k != state.account_id):
                builder.append_ed25519_public_key_signer(signer, 0)
            builder.append_set_options_op(master_weight=0)
        return sign(builder.build(), self.validator_keys())
