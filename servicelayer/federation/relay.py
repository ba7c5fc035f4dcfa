"""Relaying sealed batches and input sets between validators (pull, over HTTP).

Every ``relay_seconds`` a validator asks each member for the batches it holds of every
other sealer after the last one held here (``GET /v1/federation/batches/{sealer}``), so a
batch reaches every validator that can reach any validator holding it, and a batch
sealed while a validator was down reaches it when it returns. A batch is kept only once
its sealer's signature and chain check out (``batches.keep``); whoever relays it cannot
change it. A validator asked to sign an input set it does not fully hold fetches what is
missing from the leader the same way, and a validator that was down fetches an epoch's
agreed input set by its hash (``GET /v1/federation/inputs/{hash}``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from threading import Lock

import httpx
from stellar_sdk import Keypair

from servicelayer.errors import InvalidInput, Unauthorized
from servicelayer.federation.batches import (
    Inputs,
    Last,
    SealedBatch,
    keep,
    missing,
    next_numbers,
    recall,
    remember,
)
from servicelayer.federation.members import Member
from servicelayer.federation.messages import member_authorization
from servicelayer.storage.db import Database

log = logging.getLogger("acenode.federation")
PAGE = 100  # batches per request


class _Unreachable(Exception):
    pass


class Relay:
    def __init__(
        self,
        database: Database,
        keypair: Keypair,
        passphrase: str,
        validators: Sequence[str],
        members: Sequence[Member],
        timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.clock = clock
        self.keypair = keypair
        self.passphrase = passphrase
        self.validators = sorted(validators)
        self.members = list(members)
        self.timeout = timeout
        self.sealing = Lock()  # this validator seals one batch at a time
        self._keeping = Lock()  # relayed batches are kept one at a time
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def member(self, account: str) -> Member | None:
        return next((m for m in self.members if m.account == account), None)

    def pull(
        self,
        members: Sequence[Member] | None = None,
        upto: Sequence[Last] = (),
        timeout: float | None = None,
    ) -> int:
        """Fetch from each member what it holds of the other sealers' batches after what
        is held here (with ``upto``: only those sealers, until their given numbers; a
        member that does not answer within ``timeout`` is skipped); returns how many
        batches were kept."""
        kept = 0
        wanted = {last.sealer: last.number for last in upto}
        for member in self.members if members is None else members:
            for sealer in self.validators:
                if sealer == self.keypair.public_key or (wanted and sealer not in wanted):
                    continue
                try:
                    kept += self._pull_sealer(member, sealer, wanted.get(sealer), timeout)
                except _Unreachable:
                    break  # the next member
        return kept

    def _pull_sealer(
        self, member: Member, sealer: str, upto: int | None, timeout: float | None
    ) -> int:
        kept = 0
        while True:
            with self.database.session() as session:
                start = next_numbers(session).get(sealer, 0)
            if upto is not None and start > upto:
                return kept
            try:
                authorization = member_authorization(
                    self.keypair, self.passphrase, int(self.clock())
                )
                answer = self._client.get(
                    f"{member.url}/v1/federation/batches/{sealer}",
                    params={"from": start, "limit": PAGE},
                    headers={"Authorization": authorization},
                    timeout=timeout or self.timeout,
                )
                page = answer.json() if answer.status_code == 200 else {}
                wires, more = page.get("batches", []), page.get("more") is True
            except httpx.HTTPError as exc:
                log.debug("batches of %s from %s: %s", sealer[:8], member.url, exc)
                raise _Unreachable from None
            except (ValueError, AttributeError) as exc:
                log.debug("batches of %s from %s: %s", sealer[:8], member.url, exc)
                return kept
            if not isinstance(wires, list) or not wires:
                return kept
            added = 0
            with self._keeping, self.database.session(write=True) as session:
                for wire in wires:
                    try:
                        batch = SealedBatch.open(wire, self.passphrase, self.validators)
                    except (InvalidInput, Unauthorized) as exc:
                        log.warning("a batch from %s is refused: %s", member.url, exc)
                        return kept + added
                    if batch.sealer != sealer or not keep(session, batch):
                        break
                    added += 1
            kept += added
            if added < len(wires) or not more:
                return kept

    def complete(self, inputs: Inputs, members: Sequence[Member] | None = None) -> list[Last]:
        """Fetch the batches of ``inputs`` not held here (from ``members``, default all);
        returns those still missing."""
        with self.database.session() as session:
            gaps = missing(session, inputs)
        if gaps:
            self.pull(members, upto=gaps)
            with self.database.session() as session:
                gaps = missing(session, inputs)
        return gaps

    def inputs(self, digest: str) -> Inputs | None:
        """The input set with hash ``digest``: held here, or fetched from a member."""
        with self.database.session() as session:
            found = recall(session, digest, self.validators)
        if found is not None:
            return found
        for member in self.members:
            try:
                answer = self._client.get(f"{member.url}/v1/federation/inputs/{digest}")
                body = answer.json() if answer.status_code == 200 else None
                if not isinstance(body, dict):
                    continue
                epoch = body.get("epoch")
                if type(epoch) is not int or epoch < 0:
                    continue
                candidate = Inputs.of(
                    epoch, body.get("sets"), self.validators, body.get("snapshot")
                )
            except (httpx.HTTPError, ValueError, InvalidInput) as exc:
                log.debug("input set %s from %s: %s", digest[:12], member.url, exc)
                continue
            if candidate.hash.hex() == digest:
                with self.database.session(write=True) as session:
                    remember(session, candidate)
                return candidate
        return None
