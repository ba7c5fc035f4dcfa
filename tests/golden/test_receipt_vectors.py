"""The known-answer vectors published in docs/protocol.md match the implementation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import NotFound
from servicelayer.ingest import IngestPolicy, ItemResult, ingest_batch, queries
from servicelayer.receipts import decode_body, encode_body, from_wire, network_id, sign, verify
from servicelayer.receipts.signing import signing_payload
from servicelayer.storage.db import Database

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _published() -> dict[str, Any]:
    text = DOC.read_text()
    block = re.search(r"<!-- vectors -->\s*```json\n(.*?)```", text, re.S)
    assert block, "docs/protocol.md lost its test vectors"
    data: dict[str, Any] = json.loads(block.group(1))
    return data


PUBLISHED = _published()
KEYS = {
    k["account"]: Keypair.from_raw_ed25519_seed(bytes.fromhex(k["seed"])) for k in PUBLISHED["keys"]
}


def test_network_id_is_the_hash_of_the_passphrase() -> None:
    assert network_id(PUBLISHED["network_passphrase"]).hex() == PUBLISHED["network_id"]


def test_seeds_give_the_published_accounts() -> None:
    assert [k.public_key for k in KEYS.values()] == list(KEYS)


@pytest.mark.parametrize("vector", PUBLISHED["vectors"], ids=lambda v: v["name"])
def test_vector(vector: dict[str, Any]) -> None:
    net = bytes.fromhex(PUBLISHED["network_id"])
    decoded = from_wire(vector["wire"])
    body = encode_body(decoded.receipt)
    assert body.hex() == vector["body"]
    assert decode_body(bytes.fromhex(vector["body"])) == decoded.receipt
    assert signing_payload(net, body).hex() == vector["signing_payload"]
    signed = sign(decoded.receipt, KEYS[vector["wire"]["signer"]], net)
    assert signed.id.hex() == vector["id"]
    assert signed.signature.hex() == vector["signature"]
    assert verify(decoded.receipt.signer, signed.id, bytes.fromhex(vector["signature"]))


def _outcome(result: ItemResult) -> str:
    status = result.status.value
    return status if result.reason is None else f"{status}:{result.reason}"


@pytest.mark.parametrize("stream", PUBLISHED["streams"], ids=lambda s: s["name"])
def test_stream_vector(db: Database, stream: dict[str, Any]) -> None:
    """The published runs of the node's rules: statuses, stored rows, `added`, usage."""
    net = bytes.fromhex(PUBLISHED["network_id"])
    policy = IngestPolicy(
        net, clock_skew_seconds=120, retention_seconds=86_400, max_bytes_per_second=125_000_000
    )
    receipts = stream["receipts"]
    for step in stream["steps"]:
        with db.session(write=True) as session:
            results = ingest_batch(
                session, [receipts[name] for name in step["submit"]], policy, stream["now"]
            )
        assert [_outcome(r) for r in results] == step["results"], step
    with db.session() as session:
        for rid, expected in stream["stored"].items():
            view = queries.get_receipt(session, rid, net, 3600)
            assert (view.window_start, view.added) == (expected["window_start"], expected["added"])
        for rid in stream["not_stored"]:
            with pytest.raises(NotFound):
                queries.get_receipt(session, rid, net, 3600)
        for expected in stream["usage"]:
            usage = queries.usage(session, expected["account"], expected["epoch"], 3600)
            assert {k: getattr(usage, k) for k in expected} == expected
