"""Map what a probe saw (endpoints, peer ids) to the accounts that registered them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from servicelayer.probes.evidence import PeerObservation, SwarmEvidence
from servicelayer.probes.registration import Registration


@dataclass(frozen=True)
class AccountObservation:
    """One observed peer attributed to an account through its registration."""

    account: str  # G... strkey
    observation: PeerObservation
    peer_id_matches: bool  # the peer id starts with the registered prefix (or none was set)


def latest_registrations(
    registrations: Iterable[Registration], *, now: int
) -> dict[bytes, Registration]:
    """Per account, the registration with the highest seq that has not expired at ``now``."""
    latest: dict[bytes, Registration] = {}
    for reg in registrations:
        if reg.valid_until < now:
            continue
        current = latest.get(reg.account)
        if current is None or reg.supersedes(current):
            latest[reg.account] = reg
    return latest


def attribute(
    evidence: SwarmEvidence, registrations: Iterable[Registration], *, now: int
) -> tuple[AccountObservation, ...]:
    """Every observed peer whose endpoint an account registered (valid at ``now``), in
    (account, endpoint) order. An endpoint claimed by two accounts is attributed to both;
    the rules decide what that means."""
    by_endpoint: dict[str, list[Registration]] = {}
    for reg in latest_registrations(registrations, now=now).values():
        for endpoint in reg.endpoints:
            by_endpoint.setdefault(str(endpoint), []).append(reg)
    found = []
    for observation in evidence.peers:
        for reg in by_endpoint.get(observation.endpoint, []):
            found.append(
                AccountObservation(
                    account=reg.account_id,
                    observation=observation,
                    peer_id_matches=_prefix_matches(observation, reg.peer_id_prefix),
                )
            )
    return tuple(sorted(found, key=lambda a: (a.account, a.observation.endpoint)))


def _prefix_matches(observation: PeerObservation, prefix: bytes) -> bool:
    if not prefix:
        return True
    if not observation.answered:
        return False
    return bytes.fromhex(observation.peer_id).startswith(prefix)
