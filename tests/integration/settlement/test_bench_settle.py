"""``acenode bench settle`` runs end to end and reports its figures."""

from __future__ import annotations

import json

import pytest

from tests.integration.settlement.helpers import acenode

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_bench_settle_reports_rates_ratio_and_memory() -> None:
    result = acenode("bench", "settle", "--payees", "2000", "--channels", "4", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["payees"] == 2000
    assert figures["build_sign_per_s"] > 0 and figures["settle_per_s"] > 0
    ratio = figures["settle_per_s"] / figures["build_sign_per_s"]
    assert figures["ratio"] == pytest.approx(ratio, abs=0.0005)  # rounded to 3 places
    assert figures["peak_rss_mb"] > 0
    # the ledger's capacity: 2,000 payments need two ledgers of 1,000 operations at least
    assert figures["ledgers_min"] == 2 <= figures["ledgers_used"]
