"""Properties of the receipt encoding: it round-trips, and no flipped byte survives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stellar_sdk import Keypair

from servicelayer.receipts import (
    Kind,
    Receipt,
    ReceiptError,
    decode_body,
    encode_body,
    from_wire,
    network_id,
    receipt_id,
    sign,
    to_wire,
    verify,
)
from servicelayer.receipts.model import MAX_U63, NO_COUNTERPARTY

NET = network_id("Standalone Network ; February 2017")
KEY = Keypair.from_raw_ed25519_seed(bytes(32))
u63 = st.integers(min_value=0, max_value=MAX_U63)


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    kind = draw(st.sampled_from(Kind))
    counterparty = (
        NO_COUNTERPARTY if kind is Kind.VIEWING else draw(st.binary(min_size=32, max_size=32))
    )
    return Receipt(
        kind=kind,
        signer=KEY.raw_public_key(),
        seq=draw(st.integers(min_value=1, max_value=MAX_U63)),
        session=draw(st.binary(min_size=16, max_size=16)),
        started_at=draw(u63),
        window_start=draw(u63),
        counterparty=counterparty,
        content=draw(
            st.sampled_from([20, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n))
        ),
        amount=draw(st.integers(min_value=1, max_value=MAX_U63)),
    )


@given(receipts())
def test_canonical_bytes_round_trip(r: Receipt) -> None:
    assert decode_body(encode_body(r)) == r


@given(receipts())
@settings(max_examples=50)
def test_wire_form_round_trips_to_the_same_id(r: Receipt) -> None:
    signed = sign(r, KEY, NET)
    wire = to_wire(r, NET, signed.signature, signed.id)
    decoded = from_wire(wire)
    assert decoded.receipt == r
    assert receipt_id(decoded.network_id, encode_body(decoded.receipt)) == signed.id


@given(receipts(), st.data())
@settings(max_examples=200)
def test_any_flipped_byte_is_rejected(r: Receipt, data: st.DataObject) -> None:
    signed = sign(r, KEY, NET)
    blob = signed.body + signed.signature
    position = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    flipped = bytearray(blob)
    flipped[position] ^= 1 << bit
    body, signature = bytes(flipped[: len(signed.body)]), bytes(flipped[len(signed.body) :])
    try:
        tampered = decode_body(body)
    except ReceiptError:
        return  # not even a receipt any more
    rid = receipt_id(NET, encode_body(tampered))
    assert not verify(tampered.signer, rid, signature)
