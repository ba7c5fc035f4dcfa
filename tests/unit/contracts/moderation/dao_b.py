"""Small scenario driver for the moderation tests (imported by the test modules here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.core import Action, Context, Event, EventRejected
from contracts.moderation import (
    ActionPropose,
    ActionVote,
    ModerationState,
    ProposalKind,
    ReceiveBalanceSnapshot,
    VoteChoice,
    initial_state,
    transition,
)

DAY = 86_400


def acct(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


A, B, C, D, E = (acct(i) for i in range(1, 6))
BALANCES = ((A, 400), (B, 300), (C, 250), (D, 50))  # supply 1000
INFOHASH = "ab" * 20


def msg_hash(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class Dao:
    state: ModerationState = field(default_factory=initial_state)
    now: int = 1_000_000
    events: list[Event] = field(default_factory=list)

    def do(self, action: Action) -> tuple[Event, ...]:
        result = transition(self.state, action, Context(epoch=1, close_time=self.now))
        rejections = [e for e in result.events if isinstance(e, EventRejected)]
        assert not rejections, rejections
        self.state = result.state
        self.events.extend(result.events)
        return result.events

    def refused(self, action: Action) -> str:
        before = state_hash(self.state)
        result = transition(self.state, action, Context(epoch=1, close_time=self.now))
        assert state_hash(result.state) == before
        (event,) = result.events
        assert isinstance(event, EventRejected), event
        return event.code

    def propose(
        self,
        kind: ProposalKind = ProposalKind.DELIST,
        target: str = INFOHASH,
        balances: tuple[tuple[str, int], ...] = BALANCES,
        ledger: int = 100,
        by: str = A,
        **kw: object,
    ) -> int:
        pid = self.state.next_id
        self.do(ActionPropose(by, kind, ledger, target, **kw))  # type: ignore[arg-type]
        self.do(ReceiveBalanceSnapshot(pid, ledger, balances))
        return pid

    def vote(self, pid: int, voter: str, choice: str, nonce: int = 0) -> tuple[Event, ...]:
        return self.do(self.vote_action(pid, voter, choice, nonce))

    def vote_action(self, pid: int, voter: str, choice: str, nonce: int = 0) -> ActionVote:
        return ActionVote(
            pid, voter, VoteChoice(choice), "", msg_hash(pid, voter, choice, nonce), nonce
        )

    def wait(self, seconds: int) -> None:
        self.now += seconds
