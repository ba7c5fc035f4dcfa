"""A Horizon that answers nonsense is a ledger the node cannot read (LedgerUnavailable),
never a crash of the job that asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import Horizon

ANSWERS = {
    "/transactions/": {"hash": "ab", "successful": True, "ledger": 7, "result_xdr": "AAAA"},
    "/accounts/": {"account_id": "G", "sequence": "not a number", "thresholds": {}},
}


class _Nonsense(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = next((v for k, v in ANSWERS.items() if self.path.startswith(k)), {})
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def nonsense() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nonsense)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_malformed_records_are_an_unreadable_ledger(nonsense: str) -> None:
    with Horizon(nonsense) as horizon:
        with pytest.raises(LedgerUnavailable, match="malformed transaction"):
            horizon.transaction("ab" * 32)
        with pytest.raises(LedgerUnavailable, match="malformed account"):
            horizon.account(Keypair.random().public_key)
