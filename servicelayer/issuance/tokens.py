"""Content-access tokens a pay-per-view purchase delivers (``SendAccessToken``).

An offer with a ``token_code`` asks for one token per purchase. The token is minted by
its issuer straight to the buyer (issuance ``ActionMint``, so the cap holds) in the same
database transaction as the purchase; the mint's ledger transaction is recorded there
and carried out later, exactly once, like every mint (``IssuanceService.resume``, run by
the governance job). The buyer needs a trustline to the token; for an AUTH_REQUIRED
token the issuer authorises it in the mint's own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from contracts.access import SendAccessToken
from contracts.core import Context, EventRejected
from contracts.issuance import ActionMint
from servicelayer.issuance.service import record_submissions
from servicelayer.issuance.views import find_asset
from servicelayer.runtime.runtime import ContractRuntime

log = logging.getLogger("acenode.issuance")
ISSUANCE = "issuance"


def deliver_tokens(
    runtime: ContractRuntime, session: Session, events: Iterable[object], ctx: Context
) -> int:
    """Mint the tokens ``events`` ask for (in ``session``); returns how many were minted."""
    minted = 0
    for event in events:
        if not isinstance(event, SendAccessToken) or ISSUANCE not in runtime.specs:
            continue
        token = find_asset(runtime.current(session, ISSUANCE)[0], event.asset_code)
        if token is None:
            log.warning("no access token %s to deliver to %s", event.asset_code, event.account)
            continue
        mint = ActionMint(token.asset, event.account, event.amount)
        [applied] = runtime.apply(session, ISSUANCE, [mint], ctx)
        refused = [e.code for e in applied.events if isinstance(e, EventRejected)]
        if refused:
            log.warning("access token %s for %s refused: %s", event.asset_code, event.account,
                        refused[0])  # fmt: skip
            continue
        record_submissions(session, applied.seq, applied.events)
        minted += 1
    return minted
