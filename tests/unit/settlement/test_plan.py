"""Parsing payout files: exact stroops, strict validation with line numbers, stable ids."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import InvalidInput
from servicelayer.ledger.money import format_amount
from servicelayer.settlement.plan import parse_amount, parse_csv

A = Keypair.random().public_key
B = Keypair.random().public_key
ISSUER = Keypair.random().public_key


@pytest.mark.parametrize(
    ("text", "stroops"),
    [
        pytest.param("1", 10_000_000, id="whole"),
        pytest.param("0.0000001", 1, id="one-stroop"),
        pytest.param("12.5", 125_000_000, id="short-fraction"),
        pytest.param("0.1", 1_000_000, id="tenth-is-exact"),
        pytest.param("922337203685.4775807", 2**63 - 1, id="int64-max"),
        pytest.param(" 3.0000000 ", 30_000_000, id="spaces"),
    ],
)
def test_amounts_become_exact_stroops(text: str, stroops: int) -> None:
    assert parse_amount(text) == stroops
    assert parse_amount(format_amount(stroops)) == stroops


@pytest.mark.parametrize(
    "text",
    ["0", "0.0000000", "-1", "1.00000001", "1e3", "1,5", "", "abc", "922337203685.4775808"],
)
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_format_amount_has_seven_decimals() -> None:
    assert format_amount(1) == "0.0000001"
    assert format_amount(125_000_000) == "12.5000000"


def test_a_csv_becomes_a_plan_with_canonical_assets() -> None:
    plan = parse_csv(
        f"account,asset,amount\n{A},XLM,1.5\n{B},native,2\n{A},GOLD:{ISSUER},0.0000003\n"
    )
    assert [(p.account, p.asset, p.amount) for p in plan.payouts] == [
        (A, "native", 15_000_000),
        (B, "native", 20_000_000),
        (A, f"GOLD:{ISSUER}", 3),
    ]
    assert [p.reference for p in plan.payouts] == ["line-2", "line-3", "line-4"]
    assert plan.total_by_asset() == {"native": 35_000_000, f"GOLD:{ISSUER}": 3}


def test_the_same_content_names_the_same_plan_and_any_change_another() -> None:
    text = f"account,asset,amount,reference\n{A},XLM,1,r1\n{B},XLM,2,r2\n"
    assert parse_csv(text).id == parse_csv(text.replace("\n", "\r\n")).id
    assert parse_csv(text).id != parse_csv(text.replace(",2,", ",2.0000001,")).id
    assert parse_csv(text).id != parse_csv(text.replace("r2", "r3")).id


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    text = (
        "account,asset,amount\n"
        f"{A},XLM,1\n"
        "GBAD,XLM,1\n"
        f"{B},XLM,-3\n"
        f"{B},GOLD:NOTANISSUER,1\n"
        f"{A},XLM,1,extra\n"
    )
    with pytest.raises(InvalidInput) as err:
        parse_csv(text)
    detail = err.value.detail
    assert "line 3: account" in detail
    assert "line 4: amount" in detail
    assert "line 5: asset" in detail
    assert "line 6: too many columns" in detail
    assert "line 2" not in detail


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("account,amount\nX,1\n", id="missing-asset-column"),
        pytest.param("account,asset,amount\n", id="no-rows"),
    ],
)
def test_files_without_payouts_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_csv(text)
