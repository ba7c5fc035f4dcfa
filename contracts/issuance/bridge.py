"""Feeding moderation's approved mints into the issuance contract."""

from __future__ import annotations

from contracts.core import Action, Event
from contracts.issuance.actions import ActionMintByVote
from contracts.moderation.events import EventMintApproved


def issuance_action_for(event: Event) -> Action | None:
    if isinstance(event, EventMintApproved):
        return ActionMintByVote(event.proposal_id, event.asset, event.to, event.amount)
    return None
