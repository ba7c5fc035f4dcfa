"""The submission form's fast decoding gives what parse_qs gives, or steps aside."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest

from testnet.ledger.front.routes.network import _base64_field

ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


@pytest.mark.parametrize("size", [1, 2, 3, 57, 14_000])
def test_an_envelope_posted_by_stellar_sdk_decodes_as_parse_qs_decodes_it(size: int) -> None:
    envelope = base64.b64encode(
        bytes(range(256)) * (size // 256) + b"\xfb\xff" * (size % 7)
    ).decode()
    form = "tx=" + envelope.translate(ESCAPES)
    assert _base64_field(form) == parse_qs(form)["tx"][0] == envelope


@pytest.mark.parametrize(
    "form",
    ["tx=a%2b", "tx=%252B", "tx=a+b", "tx=", "tx=a&b=1", "tx=%2%2B", "b=1&tx=a", "tx=%41"],
)
def test_any_other_form_is_left_to_parse_qs(form: str) -> None:
    assert _base64_field(form) is None
