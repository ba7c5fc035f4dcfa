"""The guard every content-naming write passes: only the catalog owner of published
content may price or sell it (the rule itself: ``contracts.catalog.ownership``).

Pricing actions (offers, rates, stopping sales) enter the contracts only through the
use cases that call ``require_seller``: governance executes moderation's fan-out (delist,
relist, ban), the ledger watcher applies payments, and replay re-runs journaled actions
that passed this guard when they were journaled.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from contracts.catalog import CatalogState
from contracts.catalog.ownership import Use, seller_problem
from contracts.issuance import AssetKind, IssuanceState
from servicelayer.issuance.views import find_asset
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import RefusedConflict, state_of

__all__ = ["Use", "require_seller", "require_token_for"]

_DETAILS = {
    "content_not_published": "publish the content in the catalog (POST /v1/catalog) first",
    "not_content_owner": "another account published this content",
    "content_hidden": "the content is hidden while its appeal runs; no new terms",
    "content_delisted": "the content was delisted; no new terms",
}


def require_seller(
    runtime: ContractRuntime, session: Session, account: str, content: str, use: Use = Use.PRICE
) -> None:
    """Raise ``RefusedConflict`` (409) unless ``account`` may ``use`` ``content`` for sale."""
    catalog: CatalogState = state_of(runtime, session, "catalog")
    problem = seller_problem(catalog, account, content, use)
    if problem is not None:
        detail = f"{content}: {_DETAILS.get(problem, problem)}"
        raise RefusedConflict(detail, code=problem)


def require_token_for(
    runtime: ContractRuntime, session: Session, token_code: str, content: str
) -> None:
    """An offer's ``token_code`` must name a content-access token granting ``content``."""
    if not token_code:
        return
    token = None
    if "issuance" in runtime.specs:
        issuance: IssuanceState = state_of(runtime, session, "issuance")
        token = find_asset(issuance, token_code)
    if token is None or token.kind != AssetKind.ACCESS:
        raise RefusedConflict(f"no content-access token {token_code!r}", code="unknown_token")
    if token.grants != f"content:{content}":
        raise RefusedConflict(
            f"token {token_code} grants {token.grants or 'nothing'}, not content:{content}",
            code="token_not_for_content",
        )
