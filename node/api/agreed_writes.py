"""Applying an epoch's agreed inputs on this node: receipts, registrations and probe
evidence through the services a node alone uses, each signed write through the very route
that took it.

When an epoch closes on a federation validator, each signed write of its input set runs
through the route a node alone would run (``node/api/routes``): its path and body are
validated by the route's own parameter declarations, and ``Writer.run`` applies the work
in the close's transaction at the sealer's ``sealed_at``, storing the answer (or the
refusal) under the write's Idempotency-Key. So the API and the agreed inputs cannot drift
apart: there is one place per rule.
"""

from __future__ import annotations

import json
import logging
from contextlib import AbstractContextManager
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.routing import Match

from node.api.auth import Agreed, Writer, writer
from node.api.routes import catalog, governance, payperuse, subscriptions
from node.api.state import NodeState
from servicelayer.errors import InvalidInput, LedgerUnavailable, ServiceLayerError
from servicelayer.federation.writes import WINDOW_SECONDS, SignedWrite
from servicelayer.ingest import ingest_batch
from servicelayer.ledger.records import ObservedPayment
from servicelayer.probes import registry
from servicelayer.probes.evidence import SwarmEvidence
from servicelayer.probes.service import store_evidence
from servicelayer.watcher.payments import credit

log = logging.getLogger("acenode.federation")

ROUTES: tuple[APIRoute, ...] = tuple(
    route
    for module in (catalog, subscriptions, payperuse, governance)
    for route in module.router.routes
    if isinstance(route, APIRoute) and any(d.call is writer for d in route.dependant.dependencies)
)
"""Every route that takes a write (``Depends(writer)``) a federation agrees on."""


class AgreedInputs:
    """How this node applies an epoch's agreed inputs (``batches.Applier``): receipts
    through ingestion, registrations through the registry, evidence into the evidence
    store, signed writes through their routes, treasury payments through the watcher's
    crediting, all in the transaction of the API's own writes."""

    def __init__(self, node: NodeState) -> None:
        self.node = node

    def transaction(self) -> AbstractContextManager[Session]:
        return self.node.mutations.transaction()

    def receipts(self, session: Session, receipts: list[Any], at: int) -> None:
        ingest_batch(session, receipts, self.node.policy, at)

    def registration(self, session: Session, registration: Any, at: int) -> None:
        """Register as received at ``at``; one that is stale by then (or another copy of
        the one registered) changes nothing, the same on every validator."""
        try:
            registry.register(session, registration, self.node.policy.network_id, at)
        except ServiceLayerError as exc:
            log.info("agreed registration not taken: %s", exc.detail)

    def evidence(
        self, session: Session, planned: int, evidence: SwarmEvidence, source: str
    ) -> None:
        store_evidence(session, planned, evidence, source)

    def payment(self, session: Session, payment: ObservedPayment) -> None:
        seconds = self.node.settings.epoch_seconds
        credit(self.node.runtime, session, payment, payment.to, seconds)

    def write(self, session: Session, write: SignedWrite, at: int) -> None:
        """Apply ``write`` as sealed at ``at``. A write whose signature or time does not
        check out is skipped (its sealer should not have sealed it); one its route
        refuses is answered with the refusal. Either way the same on every validator."""
        try:
            write.verify(self.node.settings.network_passphrase)
            if abs(write.signed_at - at) > WINDOW_SECONDS:
                raise InvalidInput("signed too long before or after it was sealed")
            route, arguments = self._route(write)
        except ServiceLayerError as exc:
            log.warning(
                "agreed write %s %s by %s skipped: %s",
                write.method,
                write.path,
                write.account,
                exc.detail,
            )
            return
        w = Writer(
            self.node,
            write.account,
            write.key,
            write.method,
            write.path,
            agreed=Agreed(session, at),
        )
        name = next(d.name for d in route.dependant.dependencies if d.call is writer)
        try:
            route.endpoint(**arguments, **{name: w})
        except LedgerUnavailable:  # the ledger it is taken at cannot be read: close later
            raise
        except ServiceLayerError as exc:  # refused before its work ran: nothing changed
            log.warning("agreed write %s %s refused: %s", write.method, write.path, exc.detail)

    @staticmethod
    def _route(write: SignedWrite) -> tuple[APIRoute, dict[str, Any]]:
        scope = {"type": "http", "path": write.path, "method": write.method}
        for route in ROUTES:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, _arguments(route, child["path_params"], write.body)
        raise InvalidInput(f"no write is served at {write.method} {write.path}")


def _arguments(route: APIRoute, path_params: dict[str, Any], body: str) -> dict[str, Any]:
    """The route's path and body parameters, validated by the route's own declarations."""
    arguments: dict[str, Any] = {}
    errors: list[Any] = []
    for field in route.dependant.path_params:
        value, problems = field.validate(path_params.get(field.alias), {}, loc=("path",))
        arguments[field.name] = value
        errors += problems or []
    for field in route.dependant.body_params:
        try:
            plain = json.loads(body) if body else None
        except ValueError:
            raise InvalidInput("the body is not JSON") from None
        value, problems = field.validate(plain, {}, loc=("body",))
        arguments[field.name] = value
        errors += problems or []
    if errors:
        first = errors[0]
        what = first.get("msg", first) if isinstance(first, dict) else first
        raise InvalidInput(f"the write does not have the route's shape: {what}")
    return arguments
