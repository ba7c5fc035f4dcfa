"""``acedao``: the DAO member's command line (signs locally with the member's key)."""

from __future__ import annotations

from node.cli.acedao import audit, governance, keys, subscriptions  # noqa: F401  (register commands)
from node.cli.acedao.base import app, default_key_file
from node.cli.acedao.client import NodeError

__all__ = ["NodeError", "app", "default_key_file", "main"]


def main() -> None:
    app()
