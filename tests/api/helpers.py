"""A small DApp client for the tests: SEP-10 sign-in with stellar-sdk, keyed writes."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from stellar_sdk import Keypair, TransactionEnvelope

from contracts.core import Action, Context, Event
from contracts.moderation import delegation_message, reason_hash, vote_message
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database
from servicelayer.storage.journal_models import JournalEntry
from tests.support import PASSPHRASE, NodeProcess, now


def signed_challenge(client: httpx.Client, account: str, signer: Keypair) -> str:
    answer = client.get("/v1/auth", params={"account": account})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["network_passphrase"] == PASSPHRASE
    envelope = TransactionEnvelope.from_xdr(body["transaction"], body["network_passphrase"])
    envelope.sign(signer)
    xdr: str = envelope.to_xdr()
    return xdr


def sign_in(client: httpx.Client, keypair: Keypair) -> str:
    xdr = signed_challenge(client, keypair.public_key, keypair)
    answer = client.post("/v1/auth", json={"transaction": xdr})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def client_from(node: NodeProcess, address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x.y.z is loopback on
    Linux): to the node, another client address."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=node.url, timeout=30, transport=transport)


class Member:
    """One account talking to the node: signs in once, sends a fresh key per write."""

    def __init__(
        self, node: NodeProcess, keypair: Keypair | None = None, address: str | None = None
    ) -> None:
        self.keypair = keypair or Keypair.random()
        self.account = self.keypair.public_key
        self.client = node.client() if address is None else client_from(node, address)
        self.token = sign_in(self.client, self.keypair)

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {
            "Authorization": self.bearer,
            "Idempotency-Key": key or uuid.uuid4().hex,
        }

    def post(self, path: str, body: Any, key: str | None = None) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(key))

    def put(self, path: str, body: Any, key: str | None = None) -> httpx.Response:
        return self.client.put(path, json=body, headers=self.headers(key))

    def delete(self, path: str, key: str | None = None) -> httpx.Response:
        return self.client.delete(path, headers=self.headers(key))

    def get(self, path: str, **params: Any) -> httpx.Response:
        """Signed in: public reads ignore the token, an account's own history needs it."""
        return self.client.get(path, params=params, headers={"Authorization": self.bearer})

    @property
    def bearer(self) -> str:
        return f"Bearer {self.token}"


def infohash() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]


def outside_input(node: NodeProcess, contract: str, action: Action) -> tuple[Event, ...]:
    """Apply an action the node gets from outside the API (the ledger watcher, the balance
    index, moderation's execution) to the node's database, as those components do (the
    API node has no DAO treasury nor governance token for its watcher to follow).
    Returns the events (effects) the contract answered with."""
    assert node.database_url is not None
    database = Database(node.database_url)
    runtime = ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])
    t = now()
    try:
        with database.session(write=True) as session:
            [applied] = runtime.apply(session, contract, [action], Context(t // 3600, t))
    finally:
        database.dispose()
    return applied.events


def journal_count(node: NodeProcess, contract: str) -> int:
    assert node.database_url is not None
    database = Database(node.database_url)
    try:
        with database.session() as session:
            query = select(func.count()).where(JournalEntry.contract == contract)
            return int(session.scalar(query) or 0)
    finally:
        database.dispose()


def vote_body(
    signer: Keypair, proposal_id: int, choice: str, reason: str = "", nonce: int = 0
) -> dict[str, Any]:
    """A vote as a DAO member's wallet makes it: SEP-53 over the contract's vote message."""
    hashed = reason_hash(reason) if reason else None
    message = vote_message(PASSPHRASE, proposal_id, choice, hashed, nonce)
    signature = base64.b64encode(signer.sign_message(message)).decode()
    return {"choice": choice, "reason": reason, "nonce": nonce, "signature": signature}


def delegation_body(signer: Keypair, delegate: str, nonce: int) -> dict[str, Any]:
    message = delegation_message(PASSPHRASE, delegate, nonce)
    signature = base64.b64encode(signer.sign_message(message)).decode()
    return {"delegate": delegate, "nonce": nonce, "signature": signature}
