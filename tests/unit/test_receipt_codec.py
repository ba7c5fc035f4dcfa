"""The receipt wire form and canonical bytes: what a peer sees when it gets them wrong."""

from __future__ import annotations

from typing import Any

import pytest

from servicelayer.receipts import ReceiptError, decode_body, encode_body, from_wire, verify
from tests.support import make_signer, now


def _bandwidth_wire() -> dict[str, Any]:
    signer = make_signer()
    session = signer.bandwidth_session(make_signer().account, bytes(range(20)), now() - 60)
    return signer.wire(session.update(5_000, now()))


def test_wire_round_trip_keeps_every_field_and_the_signature_verifies() -> None:
    wire = _bandwidth_wire()
    decoded = from_wire(wire)
    assert decoded.receipt.amount == 5_000
    assert decoded.claimed_id is not None and decoded.claimed_id.hex() == wire["id"]
    assert verify(decoded.receipt.signer, decoded.claimed_id, decoded.signature)
    assert decode_body(encode_body(decoded.receipt)) == decoded.receipt


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param({"version": 2}, "unsupported_version", id="version"),
        pytest.param({"kind": "upload"}, "unknown_kind", id="kind"),
        pytest.param({"seq": 0}, "out_of_bounds", id="seq-zero"),
        pytest.param({"bytes": 2**63}, "out_of_bounds", id="amount-overflow"),
        pytest.param({"bytes": -1}, "out_of_bounds", id="amount-negative"),
        pytest.param({"bytes": 1.5}, "malformed", id="amount-float"),
        pytest.param({"bytes": True}, "malformed", id="amount-bool"),
        pytest.param({"bytes": "10"}, "malformed", id="amount-string"),
        pytest.param({"signer": "GABC"}, "malformed", id="signer-not-account"),
        pytest.param({"uploader": None}, "malformed", id="uploader-missing"),
        pytest.param({"session": "zz" * 16}, "malformed", id="session-not-hex"),
        # 32 characters, but fromhex would read 11 bytes and skip the spaces
        pytest.param({"session": "00 " * 10 + "00"}, "malformed", id="session-with-spaces"),
        pytest.param({"content": "00 " * 12 + "0000"}, "malformed", id="content-with-spaces"),
        pytest.param({"content": "00" * 21}, "malformed", id="content-length"),
        pytest.param({"signature": "00" * 63}, "malformed", id="signature-length"),
        pytest.param({"seconds": 5}, "unknown_field", id="field-of-another-kind"),
    ],
)
def test_bad_wire_fields_are_refused_with_a_stable_reason(
    change: dict[str, Any], reason: str
) -> None:
    wire = _bandwidth_wire() | change
    with pytest.raises(ReceiptError) as err:
        from_wire(wire)
    assert err.value.reason == reason


def test_body_with_trailing_bytes_is_not_a_receipt() -> None:
    body = encode_body(from_wire(_bandwidth_wire()).receipt)
    with pytest.raises(ReceiptError):
        decode_body(body + b"\x00")
    with pytest.raises(ReceiptError):
        decode_body(body[:-1])
