"""The shared helpers: Stellar account validation and the exact proportional split."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from contracts.common import is_account, is_content_id, split_exact


@pytest.mark.parametrize("seed", [0, 1, 7, 255])
def test_real_stellar_accounts_are_accepted(seed: int) -> None:
    assert is_account(Keypair.from_raw_ed25519_seed(bytes([seed]) * 32).public_key)


def test_mangled_or_foreign_keys_are_refused() -> None:
    key = Keypair.from_raw_ed25519_seed(bytes(32)).public_key
    flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
    secret = Keypair.from_raw_ed25519_seed(bytes(32)).secret
    for bad in (flipped, secret, key.lower(), key[:-1], "", None, 5):
        assert not is_account(bad)


def test_content_ids_are_lowercase_infohashes() -> None:
    assert is_content_id("ab" * 20) and is_content_id("0f" * 32)
    assert not is_content_id("AB" * 20) and not is_content_id("ab" * 21)


def test_split_follows_weights_and_hands_leftovers_to_the_largest_remainders() -> None:
    # 100 by 1:1:1 -> 33.33 each; one leftover stroop, equal remainders -> lowest key.
    assert split_exact(100, (("b", 1), ("a", 1), ("c", 1))) == (("a", 34), ("b", 33), ("c", 33))
    # 10 by 1:2 -> 3.33 and 6.67: the larger remainder (b) takes the leftover.
    assert split_exact(10, (("a", 1), ("b", 2))) == (("a", 3), ("b", 7))


def test_split_with_no_weight_is_equal_and_empty_split_is_empty() -> None:
    assert split_exact(5, (("x", 0), ("y", 0))) == (("x", 3), ("y", 2))
    assert split_exact(5, ()) == ()
