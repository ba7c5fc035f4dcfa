"""May account A watch content C now, and if not, why not — across all three ways to pay.

Each contract answers for itself (subscriptions, one-time access, per-minute billing).
The combined answer: the first source that allows, in the order subscription, purchase,
prepaid balance; if none allows, the first refusal that applies to this content (a
source that does not sell it says ``unknown_content``, ``no_access`` without an offer,
or ``content_not_priced``); ``content_delisted`` from any source wins over the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contracts import access, billing, subscriptions
from contracts.access import AccessState
from contracts.common import Entitlement
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import state_of

NOT_SOLD_HERE = {"unknown_content", "content_not_priced"}
NOT_OFFERED = "not_offered"


def check(
    runtime: ContractRuntime, session: Session, account: str, content: str, now: int
) -> dict[str, Any]:
    content = content.lower()
    answers: dict[str, Entitlement] = {
        "subscriptions": subscriptions.entitlement(
            state_of(runtime, session, "subscriptions"), account, content, now
        ),
        "access": _access(state_of(runtime, session, "access"), account, content, now),
        "billing": billing.entitlement(
            state_of(runtime, session, "billing"), account, content, now
        ),
    }
    best = _combine(answers)
    return {
        "account": account,
        "content": content,
        "allowed": best.allowed,
        "reason": best.reason,
        "until": best.until,
        "sources": {name: _view(e) for name, e in answers.items()},
    }


def _access(state: AccessState, account: str, content: str, now: int) -> Entitlement:
    answer = access.entitlement(state, account, content, now)
    if answer.reason == "no_access" and content not in state.offers:
        return Entitlement(False, "unknown_content")
    return answer


def _combine(answers: dict[str, Entitlement]) -> Entitlement:
    for answer in answers.values():
        if answer.allowed:
            return answer
    if any(a.reason == "content_delisted" for a in answers.values()):
        return Entitlement(False, "content_delisted")
    for answer in answers.values():
        if answer.reason not in NOT_SOLD_HERE:
            return answer
    return Entitlement(False, NOT_OFFERED)


def _view(e: Entitlement) -> dict[str, Any]:
    return {"allowed": e.allowed, "reason": e.reason, "until": e.until}
