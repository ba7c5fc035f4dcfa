"""The shared helpers: exact proportional split and account-id validation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stellar_sdk import Keypair, StrKey

from contracts.common import is_account, largest_remainder

weights = st.dictionaries(
    st.text(alphabet="abcdef", min_size=1, max_size=3), st.integers(0, 10**9), max_size=8
)


@given(total=st.integers(0, 10**15), weights=weights)
def test_largest_remainder_splits_exactly_and_fairly(total: int, weights: dict[str, int]) -> None:
    shares = dict(largest_remainder(total, tuple(weights.items())))
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        assert shares == {}
        return
    assert sum(shares.values()) == total
    for key, weight in weights.items():
        exact_floor = total * weight // weight_sum
        assert exact_floor <= shares.get(key, 0) <= exact_floor + 1


@given(total=st.integers(1, 10**6), weights=weights)
def test_largest_remainder_ignores_input_order(total: int, weights: dict[str, int]) -> None:
    items = tuple(weights.items())
    assert largest_remainder(total, items) == largest_remainder(total, tuple(reversed(items)))


@given(seed=st.binary(min_size=32, max_size=32))
def test_every_stellar_account_id_is_accepted(seed: bytes) -> None:
    account = Keypair.from_raw_ed25519_seed(seed).public_key
    assert is_account(account)
    assert not is_account(Keypair.from_raw_ed25519_seed(seed).secret)
    assert not is_account(account.lower())


@given(seed=st.binary(min_size=32, max_size=32), position=st.integers(1, 55))
def test_a_changed_character_breaks_the_checksum(seed: bytes, position: int) -> None:
    account = Keypair.from_raw_ed25519_seed(seed).public_key
    swapped = "A" if account[position] != "A" else "B"
    tampered = account[:position] + swapped + account[position + 1 :]
    assert is_account(tampered) == StrKey.is_valid_ed25519_public_key(tampered)
