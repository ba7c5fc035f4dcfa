"""What the routes need from the composition root, held on ``app.state.node``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from servicelayer.config import NodeSettings
from servicelayer.ingest import IngestPolicy
from servicelayer.storage.db import Database


@dataclass
class NodeState:
    settings: NodeSettings
    database: Database
    policy: IngestPolicy
    node_account: str
    clock: Callable[[], int]


def node_state(request: Request) -> NodeState:
    state: NodeState = request.app.state.node
    return state
