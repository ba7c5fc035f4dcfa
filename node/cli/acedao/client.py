"""The member's side of the REST API: SEP-10 sign-in signed locally, keyed writes (signed
by the member's key on a federation validator, which takes no sign-in token for a
write)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from stellar_sdk import Keypair, TransactionEnvelope

from servicelayer.errors import InvalidInput, ServiceLayerError
from servicelayer.federation.writes import sign_write


def every_page(
    http: httpx.Client, path: str, key: str, params: dict[str, Any] | None = None
) -> list[Any]:
    """Every item of a paged list (the API's ``next`` cursor, passed back as ``after``)."""
    items: list[Any] = []
    query = dict(params or {})
    while True:
        answer = http.get(path, params=query)
        answer.raise_for_status()
        page = answer.json()
        items += page[key]
        if page.get("next") is None:
            return items
        query["after"] = page["next"]


class NodeError(ServiceLayerError):
    code = "node_error"


class NodeUnreachable(NodeError):
    code = "node_unreachable"


class NodeClient:
    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base.rstrip("/")
        self.http = httpx.Client(base_url=self.base, timeout=timeout)
        self.token: str | None = None
        self.keypair: Keypair | None = None
        self.passphrase = ""

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """Signed in, the token goes along: an account's own history needs it."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self._answer(self._send("GET", path, params=params or {}, headers=headers))

    def sign_in(self, keypair: Keypair) -> None:
        """SEP-10: the node's challenge, signed here with the member's key, for a token."""
        challenge = self.get("/v1/auth", {"account": keypair.public_key})
        try:
            envelope = TransactionEnvelope.from_xdr(
                challenge["transaction"], challenge["network_passphrase"]
            )
        except Exception:  # the node's answer is outside input too
            raise NodeError("the node sent a challenge that is not a transaction") from None
        envelope.sign(keypair)
        answer = self._send("POST", "/v1/auth", json={"transaction": envelope.to_xdr()})
        self.token = self._answer(answer)["token"]
        self.keypair, self.passphrase = keypair, challenge["network_passphrase"]

    def write(self, method: str, path: str, body: Any, idempotency_key: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": idempotency_key}
        answer = self._send(method, path, json=body, headers=headers)
        if answer.status_code == 401 and _code(answer) == "signed_write_required" and self.keypair:
            content = json.dumps(body).encode() if body is not None else b""
            now = int(time.time())
            headers = sign_write(
                self.keypair, self.passphrase, method, path, idempotency_key, content, now
            )
            headers["Content-Type"] = "application/json"
            answer = self._send(method, path, content=content, headers=headers)
        return self._answer(answer)

    def health(self) -> dict[str, Any]:
        data: dict[str, Any] = self.get("/v1/health")
        return data

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise NodeUnreachable(f"cannot reach the node at {self.base}: {exc}") from None

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        body = _body(response)
        if response.status_code < 300:
            return body
        code = body.get("error", "") if isinstance(body, dict) else ""
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        message = f"{code}: {detail}" if code else f"node answered {response.status_code}"
        if response.status_code == 422:
            raise InvalidInput(message, code=code or "invalid_input")
        raise NodeError(message, code=code or "node_error")


def _body(response: httpx.Response) -> Any:
    return response.json() if "json" in response.headers.get("content-type", "") else {}


def _code(response: httpx.Response) -> str:
    body = _body(response)
    return str(body.get("error", "")) if isinstance(body, dict) else ""
