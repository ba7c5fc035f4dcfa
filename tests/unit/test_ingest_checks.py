"""Checks that need no database, in the order the node applies them."""

from __future__ import annotations

import dataclasses

import pytest

from servicelayer.ingest.checks import IngestPolicy, check_stateless
from servicelayer.receipts import Kind, Receipt, ReceiptError, network_id
from servicelayer.receipts.model import NO_COUNTERPARTY

NOW = 1_800_000_000 - 1_800_000_000 % 60
NET = network_id("Standalone Network ; February 2017")
POLICY = IngestPolicy(
    NET, clock_skew_seconds=120, retention_seconds=3600, max_bytes_per_second=1_000_000
)


def make_receipt(**changes: object) -> Receipt:
    base = Receipt(
        Kind.BANDWIDTH,
        b"\x01" * 32,
        1,
        b"\x02" * 16,
        NOW - 120,
        NOW - 60,
        b"\x03" * 32,
        b"\x04" * 20,
        1000,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def reason_of(r: Receipt, net: bytes = NET) -> str | None:
    try:
        check_stateless(r, net, POLICY, NOW)
    except ReceiptError as err:
        return err.reason
    return None


def test_a_plausible_receipt_passes() -> None:
    assert reason_of(make_receipt()) is None


@pytest.mark.parametrize(
    ("receipt", "reason"),
    [
        pytest.param(make_receipt(window_start=NOW - 61), "window_misaligned", id="misaligned"),
        pytest.param(make_receipt(window_start=NOW + 180), "window_in_future", id="future"),
        pytest.param(
            make_receipt(window_start=NOW - 7200, started_at=NOW - 7200),
            "window_expired",
            id="expired",
        ),
        pytest.param(make_receipt(started_at=NOW), "session_not_started", id="not-started"),
        pytest.param(make_receipt(counterparty=b"\x01" * 32), "self_attested", id="self"),
        pytest.param(make_receipt(amount=120 * 1_000_000 + 1), "implausible_rate", id="bytes"),
        pytest.param(
            make_receipt(kind=Kind.VIEWING, counterparty=NO_COUNTERPARTY, amount=121),
            "implausible_rate",
            id="seconds-beyond-wall-clock",
        ),
    ],
)
def test_each_cheap_check_has_its_reason(receipt: Receipt, reason: str) -> None:
    assert reason_of(receipt) == reason


def test_window_within_clock_skew_is_accepted() -> None:
    assert reason_of(make_receipt(window_start=NOW + 120, started_at=NOW)) is None


def test_receipt_for_another_network_is_refused() -> None:
    assert reason_of(make_receipt(), network_id("Test SDF Network ; September 2015")) == (
        "wrong_network"
    )
