"""Where a payment to the treasury goes, decided by its transaction's memo.

- MEMO_TEXT ``sub``: the payer's subscription credit (subscriptions ``ReceivePayment``);
- MEMO_TEXT ``prepaid``: the payer's per-minute prepaid balance (billing ``ReceiveDeposit``);
- MEMO_HASH = a content id: one-time access of the payer to that content (access
  ``ReceiveAccessPayment``; the contract refunds a payment that buys nothing);
- MEMO_TEXT ``appeal:<proposal id>``: the payer's bond appealing that executed delisting
  (moderation ``ActionAppeal``; the content is hidden while the appeal runs);
- anything else: unrouted, recorded for the operators, nothing credited.

Text memos are matched exactly after trimming spaces, in any letter case. A content id
in a MEMO_HASH is the 32-byte v2 infohash, or the 20-byte v1 infohash followed by 12 zero
bytes. The payer is always the payment's source account: a memo is at most 28 bytes, so
no other account fits in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from servicelayer.ledger.records import Memo

V1_PADDING = bytes(12)
_APPEAL = re.compile(r"appeal:([1-9][0-9]{0,17})")


class Route(StrEnum):
    SUBSCRIPTION = "subscription"
    PREPAID = "prepaid"
    ACCESS = "access"
    APPEAL = "appeal"
    NONE = "none"


TEXT_ROUTES = {"sub": Route.SUBSCRIPTION, "prepaid": Route.PREPAID}


@dataclass(frozen=True, slots=True)
class Routing:
    route: Route
    content: str = ""  # the content id of an access payment (lower-case hex)
    proposal: int = 0  # the delisting an appeal bond contests
    reason: str = ""  # why a payment is unrouted


def content_id(raw: bytes) -> str:
    """The content id a 32-byte hash memo names: a v1 infohash when zero-padded."""
    if raw.endswith(V1_PADDING):
        return raw[:20].hex()
    return raw.hex()


def route(memo: Memo) -> Routing:
    if memo.kind == "text":
        text = memo.text.strip().lower()
        found = TEXT_ROUTES.get(text)
        if found is not None:
            return Routing(found)
        match = _APPEAL.fullmatch(text)
        if match is not None:
            return Routing(Route.APPEAL, proposal=int(match[1]))
        return Routing(Route.NONE, reason="unknown_text_memo")
    if memo.kind == "hash" and len(memo.raw) == 32:
        return Routing(Route.ACCESS, content=content_id(memo.raw))
    return Routing(Route.NONE, reason=f"no_route_for_{memo.kind}_memo")


def memo_text(memo: Memo) -> str:
    """How a memo is stored for the operators: text as is, hashes in hex."""
    if memo.kind in ("hash", "return"):
        return memo.raw.hex()
    return memo.text[:100]
