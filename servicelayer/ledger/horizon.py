"""The node's one client of Horizon, on stellar-sdk: every read and every submission.

The settlement, the DAO bootstrap and its executions, the issuance, the anchoring and the
watcher all reach the ledger through ``Horizon``. Records are validated on the way in
(``servicelayer.ledger.records``) and stellar-sdk's errors become ``servicelayer.errors``
types here: a read that cannot be made raises ``LedgerUnavailable``.

A submission's outcome is ``ok: bool | None`` (as in lnbits): True applied successfully,
False definitely did not pay (with the ledger's codes), None "we do not know": a
timeout, a 5xx or a dropped connection. None leads to a lookup by hash, never to a
blind resubmission. With ``bumps``, a transaction refused for its fee while the ledger is
busy is submitted again in a fee bump (``servicelayer.ledger.feebump``).
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from stellar_sdk import AuthorizationFlag, Server
from stellar_sdk import xdr as x
from stellar_sdk.exceptions import (
    BadRequestError,
    BaseHorizonError,
    NotFoundError,
    SdkError,
    raise_request_exception,
)

from contracts.core import Asset
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.codes import op_codes_of
from servicelayer.ledger.feebump import FeeBumps
from servicelayer.ledger.http import (
    FORM_ESCAPES,
    IDLE_SECONDS,
    FormPoster,
    HorizonClient,
    is_loopback,
)
from servicelayer.ledger.money import NATIVE_TEXT, horizon_stroops, sdk_asset
from servicelayer.ledger.records import LedgerHead, holding_of, records_of, unix_time


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    ok: bool | None
    tx_code: str | None = None
    op_codes: tuple[str, ...] = ()
    ledger: int | None = None
    detail: str = ""
    fee_charged: int | None = None  # tx_insufficient_fee: the fee that would have let it in

    @property
    def codes(self) -> str:
        """The ledger's codes as one line (``tx_failed, op_underfunded``), or the detail
        of an answer without codes."""
        return ", ".join(c for c in (self.tx_code, *self.op_codes) if c) or self.detail


@dataclass(frozen=True, slots=True)
class LedgerTx:
    """A transaction the ledger has applied (successfully or not)."""

    hash: str
    successful: bool
    ledger: int
    op_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountState:
    account_id: str
    sequence: int
    thresholds: tuple[int, int, int]  # low, medium, high
    signers: dict[str, int] = field(default_factory=dict)  # key -> weight (master included)
    balances: dict[str, int] = field(default_factory=dict)  # asset -> stroops
    flags: int = 0  # AuthorizationFlag bits of an issuer account
    unauthorized: frozenset[str] = frozenset()  # trustlines the issuer has not authorised
    data: dict[str, bytes] = field(default_factory=dict)  # the account's data entries

    @property
    def master_weight(self) -> int:
        return self.signers.get(self.account_id, 0)

    def has_flag(self, flag: AuthorizationFlag) -> bool:
        return bool(self.flags & flag)


log = logging.getLogger("acenode.ledger")

PAGE = 200
"""Horizon's largest page."""


class Horizon:
    def __init__(
        self,
        url: str,
        *,
        submit_timeout: float = 30.0,
        get_timeout: int = 10,
        pool: int = 16,
        idle_seconds: float = IDLE_SECONDS,
        bumps: FeeBumps | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.bumps = bumps
        self.client = HorizonClient(
            get_timeout, pool=pool, loopback=is_loopback(self.url), idle_seconds=idle_seconds
        )
        self._poster = FormPoster(submit_timeout)
        self._server = Server(self.url, client=self.client)

    def close(self) -> None:
        self._server.close()
        self._poster.close()

    def __enter__(self) -> Horizon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tx_url(self, tx_hash: str) -> str:
        return f"{self.url}/transactions/{tx_hash}"

    # -- submissions

    def submit(self, envelope_xdr: str) -> SubmitOutcome:
        """Submit, and wait for the ledger that applies it (Horizon's synchronous POST)."""
        outcome = self._submit(envelope_xdr)
        if outcome.tx_code != "tx_insufficient_fee" or self.bumps is None:
            return outcome
        bumped = self.bumps.bump(envelope_xdr, outcome.fee_charged or 0)
        if bumped is None:
            log.warning(
                "the ledger asks %s stroops for a transaction, more than the fee bumps' "
                "limit of %d per operation ([stellar] fee_bump_max); it waits",
                outcome.fee_charged,
                self.bumps.max_fee,
            )
            return outcome
        log.info("the ledger is busy: a transaction goes again in a fee bump")
        return self._submit(bumped)

    def _submit(self, envelope_xdr: str) -> SubmitOutcome:
        try:
            response = self._post(envelope_xdr)
        except BadRequestError as exc:
            tx_code, op_codes = _codes(exc)
            if tx_code is None:  # a 400 that is not a transaction result: unknown
                return SubmitOutcome(None, detail=f"400 {exc.title}: {exc.detail}")
            charged = _fee_charged(exc) if tx_code == "tx_insufficient_fee" else None
            return SubmitOutcome(
                False, tx_code, op_codes, detail=exc.title or "", fee_charged=charged
            )
        except BaseHorizonError as exc:  # 5xx (504 timeout), 404, ...
            return SubmitOutcome(None, detail=f"{exc.status} {exc.title or ''}".strip())
        except SdkError as exc:  # connection dropped or timed out
            return SubmitOutcome(None, detail=f"{type(exc).__name__}: {exc}")
        ok = bool(response.get("successful", True))
        ledger = response.get("ledger")
        return SubmitOutcome(ok, None if ok else "tx_failed", (), int(ledger) if ledger else None)

    def _post(self, envelope_xdr: str) -> dict[str, Any]:
        """``Server.submit_transaction`` without decoding the envelope we just encoded (and
        without SEP-29's memo check, which loads every destination account)."""
        form = "tx=" + envelope_xdr.translate(FORM_ESCAPES)
        response = self._poster.post(f"{self.url}/transactions", form)
        raise_request_exception(response)
        body: dict[str, Any] = response.json()
        return body

    # -- lookups

    def _call(self, what: str, builder: Any, missing_ok: bool = False) -> dict[str, Any] | None:
        """Horizon's answer; None for a 404 when ``missing_ok``."""
        try:
            answer = builder.call()
        except NotFoundError:
            if missing_ok:
                return None
            raise LedgerUnavailable(f"{self.url} has no {what}") from None
        except SdkError as exc:
            raise LedgerUnavailable(f"cannot read {what} from {self.url}: {exc}") from None
        if not isinstance(answer, dict):
            raise LedgerUnavailable(f"{self.url} answered {what} with something else")
        return answer

    def network_passphrase(self) -> str:
        """The passphrase of the network this Horizon serves."""
        root = self._call("its root", self._server.root())
        passphrase = (root or {}).get("network_passphrase")
        if type(passphrase) is not str or not passphrase:
            raise LedgerUnavailable(f"{self.url} does not say which network it serves")
        return passphrase

    def transaction_record(self, tx_hash: str) -> dict[str, Any] | None:
        """Horizon's record of the applied transaction with this hash (a fee bump's inner
        hash finds it too), or None if the ledger has none."""
        return self._call(
            f"transaction {tx_hash}", self._server.transactions().transaction(tx_hash), True
        )

    def transaction(self, tx_hash: str) -> LedgerTx | None:
        """The applied transaction with this hash, or None if the ledger has none."""
        record = self.transaction_record(tx_hash)
        if record is None:
            return None
        try:
            return LedgerTx(
                str(record["hash"]),
                record["successful"] is True,
                int(record["ledger"]),
                op_codes_of(record["result_xdr"]),
            )
        except (KeyError, TypeError, ValueError, EOFError) as exc:  # EOFError: short XDR
            raise LedgerUnavailable(f"{self.url} sent a malformed transaction: {exc}") from None

    def recent_transactions(
        self, account_id: str, limit: int = 10, *, oldest: bool = False
    ) -> list[dict[str, Any]]:
        """Horizon's records of the account's latest transactions, newest first (with
        ``oldest``: its first transactions, oldest first)."""
        call = (
            self._server.transactions().for_account(account_id).order(desc=not oldest).limit(limit)
        )
        return records_of(self._call(f"transactions of {account_id}", call, True) or {})

    def account(self, account_id: str) -> AccountState | None:
        """The account's sequence, thresholds, signers, balances and flags; None when it is
        not on the ledger."""
        record = self._call(
            f"account {account_id}", self._server.accounts().account_id(account_id), True
        )
        if record is None:
            return None
        try:
            return _account_state(record)
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
            raise LedgerUnavailable(f"{self.url} sent a malformed account: {exc}") from None

    def sequence(self, account_id: str) -> int | None:
        state = self.account(account_id)
        return None if state is None else state.sequence

    def head(self) -> LedgerHead:
        """The latest closed ledger."""
        page = self._call("the latest ledger", self._server.ledgers().order(desc=True).limit(1))
        records = records_of(page or {})
        if not records:
            raise LedgerUnavailable(f"{self.url} has no ledger yet")
        return self._ledger_head(records[0])

    def _ledger_head(self, record: dict[str, Any]) -> LedgerHead:
        seq, closed = record.get("sequence"), unix_time(record.get("closed_at"))
        if type(seq) is not int or seq < 1 or closed is None:
            raise LedgerUnavailable(f"{self.url} sent a ledger without sequence or close time")
        capacity = record.get("max_tx_set_size")
        return LedgerHead(seq, closed, capacity if type(capacity) is int and capacity > 0 else 0)

    def ledger_at(self, at: int) -> int:
        """The sequence of the last ledger closed at or before ``at`` (0: none), which is
        final (the same from every Horizon, for good) once a ledger closed after ``at``:
        while none has, LedgerUnavailable. Pages back from the latest ledger, so it is
        meant for a recent ``at``."""
        builder = self._server.ledgers().order(desc=True).limit(PAGE)
        final = False
        while True:
            records = records_of(self._call("ledgers", builder) or {})
            for record in records:
                head = self._ledger_head(record)
                if head.closed_at <= at:
                    if not final:
                        raise LedgerUnavailable(f"no ledger has closed after {at} yet")
                    return head.sequence
                final = True
            if len(records) < PAGE:
                return 0
            builder = builder.cursor(str(records[-1].get("paging_token", "")))

    def payments(self, account: str, cursor: str, limit: int = PAGE) -> list[dict[str, Any]]:
        """Raw payment records of ``account`` after ``cursor``, oldest first, each with its
        transaction joined in (Horizon's ``join=transactions``); none for an account not on
        the ledger yet (nothing was paid to it)."""
        builder = (
            self._server.payments()
            .for_account(account)
            .order(desc=False)
            .limit(limit)
            .join("transactions")
        )
        if cursor:
            builder = builder.cursor(cursor)
        page = self._call(f"the payments of {account}", builder, missing_ok=True)
        return [] if page is None else records_of(page)

    def holders(self, asset: Asset) -> tuple[dict[str, int], int]:
        """Every account holding ``asset`` (trustline balance > 0) with its balance, and the
        highest ``last_modified_ledger`` among those trustlines."""
        found: dict[str, int] = {}
        newest = 0
        cursor = ""
        while True:
            builder = (
                self._server.accounts().for_asset(sdk_asset(asset)).order(desc=False).limit(PAGE)
            )
            if cursor:
                builder = builder.cursor(cursor)
            records = records_of(self._call(f"the holders of {asset.code}", builder) or {})
            for record in records:
                account, line = holding_of(record, asset)
                if line is None:
                    continue
                balance, modified = line
                newest = max(newest, modified)
                if balance > 0:
                    found[account] = balance
            if len(records) < PAGE:
                return found, newest
            cursor = str(records[-1].get("paging_token", ""))

    def fund(self, friendbot_url: str, account_id: str) -> None:
        """Creates ``account_id`` through friendbot (embedded ledger, testnet)."""
        try:
            response = httpx.get(friendbot_url, params={"addr": account_id}, timeout=60)
        except httpx.HTTPError as exc:
            raise LedgerUnavailable(f"friendbot at {friendbot_url} failed: {exc}") from None
        if response.status_code >= 400 and self.account(account_id) is None:
            raise LedgerUnavailable(
                f"friendbot at {friendbot_url} refused {account_id}: {response.status_code}"
            )


def _codes(exc: BaseHorizonError) -> tuple[str | None, tuple[str, ...]]:
    codes = (exc.extras or {}).get("result_codes") or {}
    tx_code = codes.get("transaction")
    if tx_code in ("tx_fee_bump_inner_failed",):
        tx_code = codes.get("inner_transaction", tx_code)
    return tx_code, tuple(codes.get("operations") or ())


def _fee_charged(exc: BaseHorizonError) -> int | None:
    """The result's fee charged: for ``tx_insufficient_fee``, the fee that would have let
    the transaction into the ledger's queue."""
    try:
        result = x.TransactionResult.from_xdr(str((exc.extras or {}).get("result_xdr")))
    except (ValueError, EOFError, binascii.Error, TypeError):
        return None
    return result.fee_charged.int64


_FLAGS = {
    "auth_required": AuthorizationFlag.AUTHORIZATION_REQUIRED,
    "auth_revocable": AuthorizationFlag.AUTHORIZATION_REVOCABLE,
    "auth_immutable": AuthorizationFlag.AUTHORIZATION_IMMUTABLE,
    "auth_clawback_enabled": AuthorizationFlag.AUTHORIZATION_CLAWBACK_ENABLED,
}


def _account_state(record: dict[str, Any]) -> AccountState:
    t = record["thresholds"]
    balances: dict[str, int] = {}
    unauthorized: set[str] = set()
    for b in record.get("balances", []):
        key = (
            NATIVE_TEXT if b["asset_type"] == "native" else f"{b['asset_code']}:{b['asset_issuer']}"
        )
        balances[key] = horizon_stroops(b["balance"], f"a balance of {record['account_id']}")
        if key != NATIVE_TEXT and b.get("is_authorized") is not True:
            unauthorized.add(key)
    set_flags = record.get("flags") or {}
    flags = 0
    for name, bit in _FLAGS.items():
        if set_flags.get(name) is True:
            flags |= bit
    return AccountState(
        record["account_id"],
        int(record["sequence"]),
        (int(t["low_threshold"]), int(t["med_threshold"]), int(t["high_threshold"])),
        {s["key"]: int(s["weight"]) for s in record.get("signers", [])},
        balances,
        flags,
        frozenset(unauthorized),
        {str(k): base64.b64decode(v, validate=True) for k, v in (record.get("data") or {}).items()},
    )
