"""Running one signed write: sign in, send with an Idempotency-Key, print the answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from node.cli.acedao.base import member_key, new_idempotency_key
from node.cli.acedao.client import NodeClient, NodeUnreachable
from node.cli.common import console, err_console, print_json


def signed_client(node: str, key_file: Path | None, prompt_key: bool) -> tuple[NodeClient, Any]:
    keypair = member_key(key_file, prompt_key)
    client = NodeClient(node)
    client.sign_in(keypair)
    return client, keypair


def send(
    client: NodeClient, method: str, path: str, body: Any, given_key: str | None
) -> tuple[Any, str]:
    key = new_idempotency_key(given_key)
    try:
        return client.write(method, path, body, key), key
    except NodeUnreachable:
        err_console.print(f"retry with --idempotency-key {key} to apply it at most once")
        raise


def report(result: Any, key: str, json_out: bool, text: Callable[[], str]) -> None:
    """Print the answer (``text`` of it once applied; a federation validator's first
    answer says it is sealed, to be applied when its epoch closes)."""
    if json_out:
        print_json({"idempotency_key": key, "result": result})
    elif isinstance(result, dict) and result.get("status") == "sealed":
        console.print(
            f"sealed by validator {str(result.get('sealed_by'))[:8]}... for epoch "
            f"{result.get('epoch')}: every validator applies it when that epoch closes; run "
            f"the same command with --idempotency-key {key} for its answer"
        )
    else:
        console.print(text())
