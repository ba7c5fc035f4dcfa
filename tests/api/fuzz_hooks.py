"""Schemathesis hooks for the fuzzing run (tests/api/test_fuzz_openapi.py).

The OpenAPI document marks Stellar accounts and assets with the string formats
``stellar-account`` and ``stellar-asset``: a SEP-23 strkey carries a CRC16 checksum that
no pattern can state. These strategies teach the generator what a valid one is, so
schema-valid requests carry real accounts; the patterns still drive the invalid ones.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st
from stellar_sdk import StrKey

accounts = st.binary(min_size=32, max_size=32).map(StrKey.encode_ed25519_public_key)
codes = st.from_regex(r"\A[A-Za-z0-9]{1,12}\Z")
assets = st.sampled_from(["XLM", "native"]) | st.builds(
    lambda code, issuer: f"{code}:{issuer}", codes, accounts
)

schemathesis.openapi.format("stellar-account", accounts)
schemathesis.openapi.format("stellar-asset", assets)
