"""What every contract use case shares: the context of API actions, applying actions and
turning a contract's refusal into an error with the contract's own stable code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from contracts.core import Action, Asset, Context, Event, EventRejected
from servicelayer.epochs import epoch_of
from servicelayer.errors import Conflict, InvalidInput
from servicelayer.runtime.runtime import ContractRuntime


class RefusedInvalid(InvalidInput):
    """The contract refused the action because the input is malformed (HTTP 422)."""

    code = "contract_refused"


class RefusedConflict(Conflict):
    """The contract refused the action in its current state (HTTP 409)."""

    code = "contract_refused"


def api_context(now: int, epoch_seconds: int) -> Context:
    """The context of an action submitted through the API.

    ``close_time`` is the node's clock: a request does not wait for the next ledger
    close. What the ledger watcher applies (payments, balance snapshots) runs at the
    close time of the ledger it was seen in (``servicelayer.watcher``).
    """
    return Context(epoch=epoch_of(now, epoch_seconds), close_time=now, seed=b"")


def refusal(event: EventRejected) -> InvalidInput | Conflict:
    detail = f"{event.action} refused: {event.code}"
    if event.detail:
        detail += f" ({event.detail})"
    if event.code.startswith("invalid_") or event.code == "unknown_action":
        return RefusedInvalid(detail, code=event.code)
    return RefusedConflict(detail, code=event.code)


def apply_checked(
    runtime: ContractRuntime,
    session: Session,
    contract: str,
    actions: Sequence[Action],
    ctx: Context,
) -> list[Event]:
    """Apply ``actions`` in ``session``; the first refusal raises (the caller rolls back)."""
    events: list[Event] = []
    for applied in runtime.apply(session, contract, actions, ctx):
        for event in applied.events:
            if isinstance(event, EventRejected):
                raise refusal(event)
        events.extend(applied.events)
    return events


def state_of(runtime: ContractRuntime, session: Session, contract: str) -> Any:
    state, _ = runtime.current(session, contract)
    return state


def asset_text(asset: Asset) -> str:
    return "XLM" if asset.is_native else f"{asset.code}:{asset.issuer}"
