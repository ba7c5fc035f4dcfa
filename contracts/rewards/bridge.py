"""Feeding moderation's parameter decisions into the rewards contract."""

from __future__ import annotations

from contracts.core import Action, Event
from contracts.moderation.events import EventParameterChanged
from contracts.rewards.actions import ReceiveParameterChanged
from contracts.rewards.transition import PARAM_FIELDS


def rewards_action_for(event: Event) -> Action | None:
    """The rewards action for a DAO parameter change about the reward split, else None.

    (``reward.min_payout`` is not state here: the runtime passes the DAO's current value
    as ``ActionPlanPayouts.min_payout``.)
    """
    if isinstance(event, EventParameterChanged) and event.name in PARAM_FIELDS:
        return ReceiveParameterChanged(event.name, event.value)
    return None
