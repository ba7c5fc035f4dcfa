"""The ledger as the settlement sees it: stellar_sdk.Server wrapped at this adapter.

A submission's outcome is ``ok: bool | None`` (as in lnbits): True applied successfully,
False definitely did not pay (with the ledger's codes), None "we do not know": a
timeout, a 5xx or a dropped connection. None leads to a lookup by hash, never to a
blind resubmission. stellar-sdk errors become ``servicelayer.errors`` types here.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx
from stellar_sdk import Server
from stellar_sdk.client.requests_client import RequestsClient
from stellar_sdk.client.response import Response
from stellar_sdk.exceptions import (
    BadRequestError,
    BaseHorizonError,
    ConnectionError,
    NotFoundError,
    SdkError,
    raise_request_exception,
)

from servicelayer.errors import InvariantViolation, LedgerUnavailable
from servicelayer.ledger.codes import op_codes_of
from servicelayer.ledger.money import NATIVE_TEXT, horizon_stroops


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    ok: bool | None
    tx_code: str | None = None
    op_codes: tuple[str, ...] = ()
    ledger: int | None = None
    detail: str = ""


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

    @property
    def master_weight(self) -> int:
        return self.signers.get(self.account_id, 0)


_FORM_ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


class _FormPoster:
    """Posts an already encoded form over one kept-alive ``http.client`` connection per
    thread (each settlement lane has its own).

    A base64 envelope needs only ``+ / =`` escaped; requests' generic urlencode quoted a
    100-operation envelope character by character, and its per-request machinery (hooks,
    adapters, cookie jars) cost three times the exchange itself. A connection the server
    closed while it was idle is replaced and the same form posted again, which is safe
    for a submission: the same envelope gets the same answer and applies at most once.
    Any other failure is a ``ConnectionError``, which the submitter reads as "unknown".
    """

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._local = threading.local()
        self._open: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self, url: SplitResult) -> tuple[http.client.HTTPConnection, bool]:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        conn = cls(url.hostname or "", url.port, timeout=self._timeout)
        self._local.conn = conn
        with self._lock:
            self._open.append(conn)
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def post(self, url: str, body: str) -> Response:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        data = body.encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        for attempt in (1, 2):
            conn, reused = self._connection(parts)
            try:
                conn.request("POST", target, data, headers)
                resp = conn.getresponse()
                content = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                self._drop()
                if reused and attempt == 1:
                    continue
                raise ConnectionError(err) from err
            except (OSError, http.client.HTTPException) as err:
                self._drop()
                raise ConnectionError(err) from err
            if resp.will_close:
                self._drop()
            text = content.decode(resp.headers.get_content_charset() or "utf-8", "replace")
            return Response(resp.status, text, dict(resp.headers), url)
        raise InvariantViolation("unreachable: the second attempt returns or raises")

    def close(self) -> None:
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _codes(exc: BaseHorizonError) -> tuple[str | None, tuple[str, ...]]:
    codes = (exc.extras or {}).get("result_codes") or {}
    tx_code = codes.get("transaction")
    if tx_code in ("tx_fee_bump_inner_failed",):
        tx_code = codes.get("inner_transaction", tx_code)
    return tx_code, tuple(codes.get("operations") or ())


class Horizon:
    def __init__(
        self, url: str, *, submit_timeout: float = 30.0, get_timeout: int = 10, pool: int = 16
    ) -> None:
        self.url = url.rstrip("/")
        client = RequestsClient(
            pool_size=pool, num_retries=0, request_timeout=get_timeout, post_timeout=submit_timeout
        )
        self._poster = _FormPoster(submit_timeout)
        if _is_loopback(self.url):
            # no proxy or netrc applies to loopback; reading them from the environment on
            # every request was a fifth of a submission's client-side CPU
            client._session.trust_env = False
        self._client = client
        self._server = Server(self.url, client=client)
        self._get_timeout = get_timeout

    def close(self) -> None:
        self._server.close()
        self._poster.close()

    def tx_url(self, tx_hash: str) -> str:
        return f"{self.url}/transactions/{tx_hash}"

    def submit(self, envelope_xdr: str) -> SubmitOutcome:
        try:
            response = self._post(envelope_xdr)
        except BadRequestError as exc:
            tx_code, op_codes = _codes(exc)
            if tx_code is None:  # a 400 that is not a transaction result: unknown
                return SubmitOutcome(None, detail=f"400 {exc.title}: {exc.detail}")
            return SubmitOutcome(False, tx_code, op_codes, detail=exc.title or "")
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
        form = "tx=" + envelope_xdr.translate(_FORM_ESCAPES)
        response = self._poster.post(f"{self.url}/transactions", form)
        raise_request_exception(response)
        body: dict[str, Any] = response.json()
        return body

    def transaction(self, tx_hash: str) -> LedgerTx | None:
        """The applied transaction with this hash, or None if the ledger has none."""
        try:
            record = self._server.transactions().transaction(tx_hash).call()
        except NotFoundError:
            return None
        except SdkError as exc:
            raise LedgerUnavailable(f"cannot look up transaction {tx_hash}: {exc}") from None
        return LedgerTx(
            record["hash"],
            bool(record["successful"]),
            int(record["ledger"]),
            op_codes_of(record["result_xdr"]),
        )

    def account(self, account_id: str) -> AccountState | None:
        try:
            record = self._server.accounts().account_id(account_id).call()
        except NotFoundError:
            return None
        except SdkError as exc:
            raise LedgerUnavailable(f"cannot load account {account_id}: {exc}") from None
        return _account_state(record)

    def sequence(self, account_id: str) -> int | None:
        state = self.account(account_id)
        return None if state is None else state.sequence

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


def _account_state(record: dict[str, Any]) -> AccountState:
    t = record["thresholds"]
    balances: dict[str, int] = {}
    for b in record.get("balances", []):
        key = (
            NATIVE_TEXT if b["asset_type"] == "native" else f"{b['asset_code']}:{b['asset_issuer']}"
        )
        balances[key] = horizon_stroops(b["balance"], f"a balance of {record['account_id']}")
    return AccountState(
        record["account_id"],
        int(record["sequence"]),
        (int(t["low_threshold"]), int(t["med_threshold"]), int(t["high_threshold"])),
        {s["key"]: int(s["weight"]) for s in record.get("signers", [])},
        balances,
    )
