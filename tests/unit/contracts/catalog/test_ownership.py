"""The one ownership rule: who may sell a content, over the catalog's state."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from contracts.catalog import (
    ActionPublish,
    CatalogState,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    initial_state,
    transition,
)
from contracts.catalog.ownership import Use, seller_problem
from contracts.core import Action, Context

OWNER, OTHER = (Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key for n in (1, 2))
IH = "ab" * 20


def catalog(*after: Action) -> CatalogState:
    state = initial_state()
    for action in (ActionPublish(IH, "Film", ("film",), OWNER), *after):
        state = transition(state, action, Context(epoch=1, close_time=1000)).state
    return state


@pytest.mark.parametrize(
    ("state", "account", "content", "use", "problem"),
    [
        pytest.param(initial_state(), OWNER, IH, Use.PRICE, "content_not_published", id="unpub"),
        pytest.param(initial_state(), OWNER, IH, Use.WIND_DOWN, "content_not_published", id="u2"),
        pytest.param(catalog(), OTHER, IH, Use.PRICE, "not_content_owner", id="other"),
        pytest.param(catalog(), OTHER, IH, Use.WIND_DOWN, "not_content_owner", id="other-stop"),
        pytest.param(catalog(), OWNER, IH, Use.PRICE, None, id="owner"),
        pytest.param(catalog(), OWNER, IH.upper(), Use.PRICE, None, id="upper-case"),
        pytest.param(catalog(), OWNER, "xyz", Use.PRICE, "content_not_published", id="bad-id"),
        pytest.param(
            catalog(ReceiveContentHidden(IH)), OWNER, IH, Use.PRICE, "content_hidden", id="hid"
        ),
        pytest.param(
            catalog(ReceiveContentDelisted(IH)), OWNER, IH, Use.PRICE, "content_delisted", id="del"
        ),
        pytest.param(
            catalog(ReceiveContentDelisted(IH)), OWNER, IH, Use.WIND_DOWN, None, id="del-stop"
        ),
        pytest.param(
            catalog(ReceiveChannelBanned(OWNER)), OWNER, IH, Use.PRICE, "content_delisted", id="ban"
        ),
    ],
)
def test_only_the_catalog_owner_of_published_content_may_sell_it(
    state: CatalogState, account: str, content: str, use: Use, problem: str | None
) -> None:
    assert seller_problem(state, account, content, use) == problem
