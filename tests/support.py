"""Helpers for tests: the harness's process tools, and receipt factories."""

from __future__ import annotations

import time
from typing import Any

from stellar_sdk import Keypair

from servicelayer.receipts.peer import ReceiptSigner
from testnet.processes import NodeProcess as _NodeProcess
from testnet.processes import free_port, wait_for

PASSPHRASE = "Standalone Network ; February 2017"
__all__ = [
    "PASSPHRASE",
    "NodeProcess",
    "free_port",
    "make_signer",
    "mid_previous_epoch",
    "now",
    "wait_for",
]


def make_signer(passphrase: str = PASSPHRASE) -> ReceiptSigner:
    return ReceiptSigner(Keypair.random(), passphrase)


def now() -> int:
    return int(time.time())


def mid_previous_epoch(epoch_seconds: int = 3600) -> int:
    """A time in the middle of the previous epoch: windows near it are all in one epoch,
    recent enough to be accepted, and never in the future."""
    return (now() // epoch_seconds) * epoch_seconds - epoch_seconds // 2


class NodeProcess(_NodeProcess):
    def submit(self, receipts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.client() as c:
            response = c.post("/v1/receipts", json={"receipts": receipts})
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results
