"""Payout plans: what is owed to whom, in integer stroops, and its stable id.

A plan is immutable once persisted. Its id is the SHA-256 of the canonical encoding of
its payouts, so the same content always names the same plan (re-running a file resumes).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stellar_sdk import StrKey

from contracts.canonical import canonical_bytes
from servicelayer.errors import InvalidInput
from servicelayer.ledger.money import asset_from_text, to_stroops

MAX_REFERENCE = 64
_PLAN_TAG = "ace-payout-plan-v1"
MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class Payout:
    account: str
    asset: str  # "native" or "CODE:ISSUER"
    amount: int  # stroops
    reference: str
    source: str | None = None  # who pays: None is the treasury; an issuer mints

    def row(self) -> list[str | int]:
        """What a plan's id and a chunk's memo commit to (``source`` only when set, so
        the treasury's payouts name the plans and memos they always did)."""
        row: list[str | int] = [self.account, self.asset, self.amount, self.reference]
        return row if self.source is None else [*row, self.source]


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    payouts: tuple[Payout, ...]

    @classmethod
    def of(cls, payouts: Sequence[Payout]) -> Plan:
        if not payouts:
            raise InvalidInput("a payout plan needs at least one payout", code="empty_plan")
        return cls(plan_id(payouts), tuple(payouts))

    def total_by_asset(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for p in self.payouts:
            totals[p.asset] = totals.get(p.asset, 0) + p.amount
        return totals


def plan_id(payouts: Iterable[Payout]) -> str:
    rows = [p.row() for p in payouts]
    return hashlib.sha256(canonical_bytes((_PLAN_TAG, rows))).hexdigest()


def parse_amount(text: str) -> int:
    """``"12.5"`` -> 125000000 stroops, exactly; at most 7 decimals, strictly positive."""
    stroops = to_stroops(text.strip())
    if stroops is None:
        raise ValueError(
            "amount must be a decimal number with at most 7 decimals, at most 2^63-1 stroops"
        )
    if stroops <= 0:
        raise ValueError("amount must be positive")
    return stroops


def parse_asset(text: str) -> str:
    """``XLM``/``native`` -> ``native``; ``CODE:ISSUER`` checked and kept."""
    try:
        return str(asset_from_text(text))
    except InvalidInput as exc:
        raise ValueError(str(exc)) from exc


def parse_account(text: str) -> str:
    value = text.strip()
    if not StrKey.is_valid_ed25519_public_key(value):
        raise ValueError("account must be a Stellar account id (G...)")
    return value


def _parse_row(row: dict[str, str | None], line: int) -> Payout:
    reference = (row.get("reference") or "").strip() or f"line-{line}"
    if len(reference) > MAX_REFERENCE:
        raise ValueError(f"reference is longer than {MAX_REFERENCE} characters")
    return Payout(
        parse_account(row.get("account") or ""),
        parse_asset(row.get("asset") or ""),
        parse_amount(row.get("amount") or ""),
        reference,
    )


def parse_csv(text: str) -> Plan:
    """A plan from CSV with a header ``account,asset,amount[,reference]``.

    Every bad row is reported with its line number; nothing is returned unless all are good.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = {"account", "asset", "amount"} - set(header)
    if missing:
        raise InvalidInput(
            f"line 1: the header must name account, asset, amount (missing {sorted(missing)})",
            code="bad_csv_header",
        )
    reader.fieldnames = header
    payouts: list[Payout] = []
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            errors.append(f"line {line}: too many columns")
            continue
        try:
            payouts.append(_parse_row(row, line))
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        more = f" (and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
        raise InvalidInput("; ".join(errors[:MAX_REPORTED]) + more, code="bad_csv_rows")
    return Plan.of(payouts)
