"""State of the one-time access (pay-per-view) contract: offers and expiring grants."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.core import Asset
from contracts.pmap import PMap

MIN_DURATION = 60
MAX_DURATION = 3660 * 24 * 3600  # ten years


@dataclass(frozen=True, slots=True)
class Offer:
    """A provider's price for one content: ``price`` buys ``duration`` seconds of access.

    With a ``token_code`` each purchase also requests one content-access token of that
    code from the issuance contract.
    """

    content: str
    provider: str
    price: int
    asset: Asset
    duration: int
    token_code: str = ""
    on_sale: bool = True
    delisted: bool = False


@dataclass(frozen=True, slots=True)
class Grant:
    account: str
    content: str
    expires_at: int  # access lasts while close_time < expires_at
    purchases: int


@dataclass(frozen=True, slots=True)
class AccessState:
    offers: PMap[str, Offer] = field(default_factory=PMap)
    grants: dict[tuple[str, str], Grant] = field(default_factory=dict)  # (account, content)
    payments_seen: dict[str, bool] = field(default_factory=dict)


def initial_state() -> AccessState:
    return AccessState()
