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
    assert figures["ratio"] == pytest.approx(
        figures["settle_per_s"] / figures["build_sign_per_s"], rel=0.01
    )
    assert figures["peak_rss_mb"] > 0
