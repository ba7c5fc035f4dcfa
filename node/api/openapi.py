"""The OpenAPI document states what the node enforces, where FastAPI cannot say it alone.

- ``Idempotency-Key`` is required on every write. The dependency reads it as optional so
  that a missing key answers its own code (422 ``idempotency_key_required``), so the
  document marks it required here, with the pattern ``check_key`` enforces, and the
  ``Idempotent-Replayed`` header of a replayed answer.
- FastAPI's OpenAPI models hold numeric bounds as floats, so 2^63 - 1 came out as 2^63
  (9.223372036854776e+18): bounds are written back as the exact integers they were.
- On a federation validator a write is signed by its account (``Ace-Signed``, not the
  bearer token) and answers 202 ``sealed``; only validators read batches
  (``Ace-Member``): the document says so on such a node (``_federated``).
- A receipt batch's items are checked one by one (a bad receipt is rejected in the
  results, never the request), so the request schema admits any item, and the three
  receipt shapes are published as components for clients to build receipts from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from node.api.auth import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_PATTERN
from node.api.models.common import INT64_MAX, MAX_NONCE, MAX_PROPOSAL_ID
from node.api.schemas import RECEIPT_COMPONENTS

Document = dict[str, Any]
_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
# The bounds too large for a float to hold exactly, by the float they became.
_EXACT = {float(n): n for n in (INT64_MAX, MAX_NONCE, MAX_PROPOSAL_ID)}


def install_openapi(app: FastAPI, federated: bool = False) -> None:
    """Replace ``app.openapi`` by the generated document with the additions above."""
    generate: Callable[[], Document] = app.openapi
    finished: list[Document] = []

    def openapi() -> Document:
        if not finished:
            document = generate()
            _exact_bounds(document)
            _require_idempotency_key(document)
            if federated:
                _federated(document)
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                RECEIPT_COMPONENTS
            )
            finished.append(document)
        return finished[0]

    app.openapi = openapi  # type: ignore[method-assign]


def _require_idempotency_key(document: Document) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == IDEMPOTENCY_KEY:
                    parameter["required"] = True
                    parameter["schema"] = {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 255,
                        "pattern": IDEMPOTENCY_KEY_PATTERN,
                        "title": IDEMPOTENCY_KEY,
                    }
                    _document_replay(operation)


SIGNED_WRITE = {
    "type": "http",
    "scheme": "Ace-Signed",
    "description": "`Ace-Signed account=G...,signed_at=<unix seconds>,signature=<base64>`: "
    "SEP-53 over the write's canonical message, within 300 s (docs/api.md, 'Signed writes')",
}
MEMBER = {
    "type": "http",
    "scheme": "Ace-Member",
    "description": "`Ace-Member <base64 of a pull message signed by a validator of the set>`, "
    "within 300 s (docs/api.md)",
}
SEALED = {
    "description": "Sealed into this validator's next batch: every validator applies it when "
    "`epoch` closes; the same request to this validator again answers the outcome",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["status", "detail", "sealed_by", "sealed_at", "epoch"],
                "properties": {
                    "status": {"type": "string", "enum": ["sealed"]},
                    "detail": {"type": "string"},
                    "sealed_by": {"type": "string"},
                    "sealed_at": {"type": "integer"},
                    "epoch": {"type": "integer"},
                },
            }
        }
    },
}


def _federated(document: Document) -> None:
    """A federation validator's writes are signed by their account and sealed (202), and
    so are registrations; its batches are read by validators only."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["ace_signed"], schemes["ace_member"] = SIGNED_WRITE, MEMBER
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            if operation.get("security") == [{"bearer": []}] and _is_write(operation):
                operation["security"] = [{"ace_signed": []}]
                operation["responses"]["202"] = SEALED
            if path == "/v1/federation/batches/{sealer}":
                operation["security"] = [{"ace_member": []}]
            if path == "/v1/registrations" and "200" in operation.get("responses", {}):
                sealed = operation["responses"].pop("200")
                operation["responses"]["202"] = sealed | {"description": "Sealed (`sealed`)"}


def _is_write(operation: Document) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == IDEMPOTENCY_KEY
        for p in operation.get("parameters", [])
    )


def _document_replay(operation: Document) -> None:
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2"):
            response.setdefault("headers", {})["Idempotent-Replayed"] = {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same Idempotency-Key (nothing was applied again)",
                "required": False,
                "schema": {"type": "string", "enum": ["true"]},
            }


def _exact_bounds(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _exact_bounds(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _BOUNDS and isinstance(value, float) and value.is_integer():
                node[key] = _EXACT.get(value, int(value))
            else:
                _exact_bounds(value)
