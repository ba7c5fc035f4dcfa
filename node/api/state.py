"""What the routes need from the composition root, held on ``app.state.node``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from stellar_sdk import Keypair

from node.federation import Federation
from servicelayer.auth import Sep10Server, TokenIssuer
from servicelayer.config import NodeSettings
from servicelayer.epochs.anchoring import Trees
from servicelayer.ingest import IngestPolicy
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.idempotency import IdempotentRunner
from servicelayer.storage.db import Database
from servicelayer.throttle import Throttle


@dataclass
class NodeState:
    settings: NodeSettings
    database: Database
    policy: IngestPolicy
    node_account: str
    clock: Callable[[], int]
    keypair: Keypair = field(repr=False)  # the node's signing key; never logged
    runtime: ContractRuntime = field(repr=False)
    sep10: Sep10Server = field(repr=False)
    tokens: TokenIssuer = field(repr=False)
    mutations: IdempotentRunner = field(repr=False)
    # The ledger sequence that governance actions are taken at: the last ledger the
    # ledger watcher followed (Horizon's latest before the watcher's first tick).
    ledger_sequence: Callable[[], int] = field(repr=False)
    throttle: Throttle = field(repr=False)  # rate limits (429)
    proofs: Trees = field(default_factory=Trees, repr=False)  # epochs' Merkle trees
    federation: Federation | None = field(default=None, repr=False)  # None: settles alone


def node_state(request: Request) -> NodeState:
    state: NodeState = request.app.state.node
    return state
