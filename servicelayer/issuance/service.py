"""Issuing, minting and locking assets: the contract decides, then the ledger follows.

Every use case first applies the contract action (supply cap, lock and flag rules) and,
in the same database transaction, records the ledger transactions it calls for
(``issuance_submissions``). Only after that commit does anything reach the ledger, so a
refused action never touches it, and a crash at any point is finished by running the
command again: a recorded envelope is looked up by hash before it is ever rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contracts.core import Action, Asset, EventRejected
from contracts.issuance import (
    ActionClawback,
    ActionDefineAsset,
    ActionLock,
    ActionMint,
    AssetFlags,
    AssetKind,
    IssuedAsset,
    SendClawback,
    SendIssue,
    SendLockIssuer,
)
from servicelayer.dao.keys import DaoKey, DaoKeys
from servicelayer.errors import ConfigError, Conflict, InvalidInput
from servicelayer.issuance.ledger import CLAWBACK, LOCK, MINT, IssuerAccounts, IssuerView
from servicelayer.issuance.lock import issuance_lock
from servicelayer.issuance.submissions import Submissions, unfinished_counts
from servicelayer.issuance.views import CONTRACT, find_asset, issued_asset, issued_assets
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import api_context, refusal
from servicelayer.storage.db import Database
from servicelayer.storage.issuance_models import IssuanceSubmission

GOVERNANCE_ISSUER_ROLE = "issuer"  # the bootstrap's shared issuer account


@dataclass(frozen=True, slots=True)
class AssetSpec:
    code: str
    cap: int  # stroops
    kind: AssetKind
    grants: str  # access: "content:<infohash>"; governance: ""
    flags: AssetFlags
    mint_now: int = 0  # stroops minted to the distribution account right away


@dataclass(frozen=True, slots=True)
class Outcome:
    asset: IssuedAsset
    resumed: bool  # the asset was already defined: only unfinished work was done
    configured: bool  # a transaction set the issuer's flags or the trustline
    applied: tuple[int, ...]  # action seqs whose transactions the ledger applied now


@dataclass(frozen=True, slots=True)
class Checked:
    asset: IssuedAsset
    ledger: IssuerView | None  # None: the issuer is not on the ledger yet
    unfinished: int = 0  # recorded transactions not applied yet

    @property
    def consistent(self) -> bool:
        """The ledger agrees with the contract: the distribution's balance, the issuer's
        flags and whether the issuer is locked."""
        if self.ledger is None:
            return False
        held = self.asset.holdings.get(self.asset.distribution, 0)
        return (
            self.ledger.distribution_balance == held
            and self.ledger.flags == self.asset.flags
            and self.ledger.locked == self.asset.locked
        )


class IssuanceService:
    def __init__(
        self,
        db: Database,
        runtime: ContractRuntime,
        accounts: IssuerAccounts,
        keys: DaoKeys,
        clock: Callable[[], int],
        epoch_seconds: int,
    ) -> None:
        self.db = db
        self.runtime = runtime
        self.accounts = accounts
        self.keys = keys
        self.clock = clock
        self.epoch_seconds = epoch_seconds
        self.submissions = Submissions(db, accounts)

    # -- use cases ---------------------------------------------------------------------
    def issue(self, spec: AssetSpec) -> Outcome:
        """Define the asset (and mint ``spec.mint_now``), then carry it out on the ledger.
        Run again with the same definition, it only finishes what is unfinished."""
        distribution = self._dao_account("distribution")
        issuer = self._issuer_key(spec)
        with self.db.session() as s:
            existing = find_asset(self.runtime.current(s, CONTRACT)[0], spec.code)
        if existing is not None:
            _same_definition(existing, spec, issuer.account)
        else:
            define = ActionDefineAsset(
                Asset(spec.code, issuer.account),
                distribution,
                spec.cap,
                spec.kind,
                spec.grants,
                spec.flags.auth_required,
                spec.flags.revocable,
                spec.flags.clawback_enabled,
            )
            mint = [ActionMint(define.asset, distribution, spec.mint_now)] if spec.mint_now else []
            self._apply([define, *mint])
        self.accounts.ensure_account(issuer)
        return self._carry_out(spec.code, resumed=existing is not None)

    def mint(self, code: str, amount: int, to: str | None = None) -> Outcome:
        """Mint ``amount`` more (within the cap) to ``to``, by default the distribution
        account; a holder needs a trustline first (the ledger refuses the payment)."""
        asset = self._asset(code)
        self._apply([ActionMint(asset.asset, to or asset.distribution, amount)])
        return self._carry_out(code, resumed=False)

    def lock(self, code: str) -> Outcome:
        """Lock the issuer for good: the supply (all of the cap) is fixed from now on."""
        asset = self._asset(code)
        self._apply([ActionLock(asset.asset)])
        return self._carry_out(code, resumed=False)

    def clawback(self, code: str, holder: str, amount: int) -> Outcome:
        """Take ``amount`` back from ``holder`` (needs the clawback flag; not once locked)."""
        asset = self._asset(code)
        self._apply([ActionClawback(asset.asset, holder, amount)])
        return self._carry_out(code, resumed=False)

    def resume(self, code: str) -> Outcome:
        """Finish what a crashed or interrupted command left undone."""
        return self._carry_out(code, resumed=True)

    def check(self) -> list[Checked]:
        """Every asset with what the ledger says (issuer flags, signers, distribution) and
        how many of its transactions are not applied yet (``acenode assets resume``)."""
        with self.db.session() as s:
            assets = issued_assets(self.runtime, s)
            unfinished = unfinished_counts(s)
        checked = []
        for asset in assets:
            present = self.accounts.horizon.account(asset.asset.issuer) is not None
            view = self.accounts.view(asset) if present else None
            checked.append(Checked(asset, view, unfinished.get(asset.asset.code, 0)))
        return checked

    # -- steps -------------------------------------------------------------------------
    def _carry_out(self, code: str, *, resumed: bool) -> Outcome:
        with issuance_lock(self.db):
            asset = self._asset(code)
            configured = self.accounts.configure(asset)
            applied = self.submissions.carry_out(asset)
        return Outcome(self._asset(code), resumed, configured, tuple(applied))

    def _apply(self, actions: Sequence[Action]) -> None:
        """Apply and journal ``actions`` with the ledger work they call for, in one
        transaction; any refusal rolls back all of it (nothing reaches the ledger)."""
        ctx = api_context(self.clock(), self.epoch_seconds)
        with self.runtime.transaction(), self.db.session(write=True) as s:
            for applied in self.runtime.apply(s, CONTRACT, actions, ctx):
                for event in applied.events:
                    if isinstance(event, EventRejected):
                        raise refusal(event)
                record_submissions(s, applied.seq, applied.events)

    def _asset(self, code: str) -> IssuedAsset:
        with self.db.session() as s:
            return issued_asset(self.runtime, s, code)

    def _dao_account(self, role: str) -> str:
        if not self.keys.path(role).exists():
            raise ConfigError(f"no DAO {role} key yet; run `acenode dao bootstrap` first")
        return self.keys.public(role)

    def _issuer_key(self, spec: AssetSpec) -> DaoKey:
        """The governance token uses the bootstrap's issuer; every access token gets an
        issuer account of its own, so its flags and its lock concern it alone."""
        if spec.kind == AssetKind.GOVERNANCE:
            self._dao_account(GOVERNANCE_ISSUER_ROLE)
            return self.keys.ensure(GOVERNANCE_ISSUER_ROLE)
        if not spec.code.isalnum() or not spec.code.isascii():
            raise InvalidInput("an asset code is 1-12 letters and digits", code="invalid_asset")
        return self.keys.ensure(f"issuer-{spec.code}")


def record_submissions(session: Session, seq: int, events: Sequence[object]) -> None:
    """The ledger transactions issuance action ``seq``'s effects call for, recorded in the
    action's own transaction (``IssuanceService.resume`` carries them out later)."""
    for event in events:
        if isinstance(event, SendIssue) and event.source == event.asset.issuer:
            session.add(_row(seq, event.asset, MINT, event.to, event.amount))
        elif isinstance(event, SendClawback):
            session.add(_row(seq, event.asset, CLAWBACK, event.holder, event.amount))
        elif isinstance(event, SendLockIssuer):
            session.add(_row(seq, event.asset, LOCK, event.asset.issuer, 0))


def _row(seq: int, asset: Asset, kind: str, to: str, amount: int) -> IssuanceSubmission:
    return IssuanceSubmission(
        action_seq=seq,
        code=asset.code,
        issuer=asset.issuer,
        kind=kind,
        destination=to,
        amount=amount,
        status="planned",
        detail="",
    )


def _same_definition(existing: IssuedAsset, spec: AssetSpec, issuer: str) -> None:
    same = (
        existing.asset.issuer == issuer
        and existing.cap == spec.cap
        and existing.kind == spec.kind
        and existing.grants == spec.grants
        and existing.flags == spec.flags
    )
    if not same:
        raise Conflict(
            f"{spec.code} is already issued with another definition; "
            "use `acenode assets mint` to mint more",
            code="asset_exists",
        )
