"""The network fee and its attribution conserve every stroop."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.common import SendProviderRevenue
from contracts.core import NATIVE, Asset
from contracts.rewards.revenue import attribute_fees, withhold_fee

PROVIDERS = ["GA", "GB", "GC"]
CONTENTS = ["aa", "bb", "cc", "dd"]
ASSETS = [NATIVE, Asset("GOLD", "GISSUER")]

lines = st.lists(
    st.builds(
        SendProviderRevenue,
        st.sampled_from(PROVIDERS),
        st.sampled_from(ASSETS),
        st.integers(1, 10**15),
        st.text(min_size=1, max_size=8),
    ),
    max_size=20,
)
seconds = st.dictionaries(
    st.tuples(st.sampled_from(PROVIDERS), st.sampled_from(CONTENTS)), st.integers(0, 10**6)
)


@given(lines, st.integers(0, 10_000), seconds)
def test_revenue_is_paid_or_withheld_and_every_fee_is_attributed_or_kept(
    revenue: list[SendProviderRevenue], fee_bps: int, watched: dict[tuple[str, str], int]
) -> None:
    withheld = withhold_fee(revenue, fee_bps)
    for asset in ASSETS:
        paid_in = sum(line.amount for line in revenue if line.asset == asset)
        net = sum(line.amount for line in withheld.net if line.asset == asset)
        fees = sum(fee for (_, a), fee in withheld.fees if a == asset)
        assert net + fees == paid_in
        assert fees <= paid_in * fee_bps // 10_000 + len(revenue)  # floor per line
    assert all(line.amount > 0 for line in withheld.net)
    attributed = attribute_fees(withheld.fees, watched)
    for result in attributed:
        fees = sum(fee for (_, a), fee in withheld.fees if a == result.asset)
        assert sum(a for _, a in result.viewer_payments) + result.unattributed == fees
        # a content gets a share only from its own provider's watched contents
        watched_contents = {c for (_, c), s in watched.items() if s > 0}
        assert {c for c, _ in result.viewer_payments} <= watched_contents


@given(st.integers(1, 10**12))
def test_a_provider_nobody_watched_keeps_its_fee_in_the_treasury(amount: int) -> None:
    withheld = withhold_fee([SendProviderRevenue("GA", NATIVE, amount, "r")], 2000)
    [result] = attribute_fees(withheld.fees, {("GB", "aa"): 60}) or [None]
    if amount * 2000 // 10_000 == 0:
        assert result is None
    else:
        assert result is not None
        assert result.viewer_payments == () and result.unattributed == amount * 2000 // 10_000
