"""Entitlement query of the one-time access contract."""

from __future__ import annotations

from contracts.access.state import AccessState
from contracts.common import Entitlement

ACCESS_GRANTED = "access_granted"
ACCESS_EXPIRED = "access_expired"
NO_ACCESS = "no_access"
CONTENT_DELISTED = "content_delisted"


def entitlement(state: AccessState, account: str, content: str, now: int) -> Entitlement:
    """May ``account`` watch ``content`` at ``now`` on the strength of a purchase?"""
    offer = state.offers.get(content) if type(content) is str else None
    if offer is not None and offer.delisted:
        return Entitlement(False, CONTENT_DELISTED)
    grant = state.grants.get((account, content)) if type(content) is str else None
    if grant is None:
        return Entitlement(False, NO_ACCESS)
    if now < grant.expires_at:
        return Entitlement(True, ACCESS_GRANTED, grant.expires_at)
    return Entitlement(False, ACCESS_EXPIRED)
