"""The governance job: count ended votes, carry out due decisions, mint what was voted."""

from __future__ import annotations

import logging
from functools import partial

from node.api.state import NodeState
from node.issuance import running_node_issuance
from servicelayer.errors import Conflict
from servicelayer.governance.execution import GovernanceExecutor, Outcome

log = logging.getLogger("acenode.jobs")


def governance_executor(state: NodeState) -> GovernanceExecutor:
    return GovernanceExecutor(
        state.database,
        state.runtime,
        state.mutations,
        state.clock,
        state.settings.epoch_seconds,
        partial(running_node_issuance, state),
    )


def governance_tick(executor: GovernanceExecutor) -> Outcome | None:
    """One run; None when another process is running it right now."""
    try:
        return executor.run()
    except Conflict as exc:
        if exc.code != "busy":
            raise
        log.debug("governance: %s", exc.detail)
        return None
