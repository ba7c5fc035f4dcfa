"""Rate limits as request dependencies: one place per kind of request.

The client address is the connection's peer (``request.client.host``); behind a reverse
proxy the operator lists it in ``[limits] trusted_proxies`` so uvicorn takes the client
from ``X-Forwarded-For``. Sign-in failures are counted where they happen
(``servicelayer.auth.challenges``); writes in ``node.api.auth.writer``.
"""

from __future__ import annotations

from fastapi import Depends, Request

from node.api.state import NodeState, node_state


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def sign_in_limit(request: Request, node: NodeState = Depends(node_state)) -> str:
    """GET and POST /v1/auth per client address; the address, for counting failures."""
    address = client_address(request)
    node.throttle.hit("sign_in_per_address", address, "sign-in requests from this address")
    return address


def ingest_limit(request: Request, node: NodeState = Depends(node_state)) -> None:
    """POST /v1/receipts and /v1/registrations per client address (a high rate: peers
    send batches)."""
    node.throttle.hit(
        "ingest_per_address", client_address(request), "submissions from this address"
    )


def federation_limit(request: Request, node: NodeState = Depends(node_state)) -> None:
    """The federation's endpoints (requests to sign, batches, input sets) per client
    address (mostly the other validators)."""
    node.throttle.hit(
        "federation_per_address", client_address(request), "requests to sign from this address"
    )


def page_limit(request: Request, node: NodeState = Depends(node_state)) -> None:
    """The large public lists (an epoch's verdicts and payouts, up to 1000 rows a page)
    per client address."""
    node.throttle.hit("pages_per_address", client_address(request), "pages from this address")


def write_limit(request: Request, account: str | None, node: NodeState) -> None:
    """Every authenticated write, per client address and per account (None: not proven
    the writer's yet; the caller calls ``account_write_limit`` once it is)."""
    node.throttle.hit("writes_per_address", client_address(request), "writes from this address")
    if account is not None:
        account_write_limit(account, node)


def account_write_limit(account: str, node: NodeState) -> None:
    node.throttle.hit("writes_per_account", account, "writes by this account")
