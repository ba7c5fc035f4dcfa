"""Which swarms the node probes in an epoch, and whom it contacts there.

The sample is seeded by the node's own Ed25519 signature over the epoch:

    signature = Ed25519-Sign(node key, "ACE-PROBE-SEED-V1" || 0x00 || network_id || u64 epoch)
    seed      = SHA-256(signature)

Peers cannot compute it without the node's key, so they cannot tell in advance which
swarms will be watched; once the node publishes the signature, any validator can check
it and recompute the sample. A swarm is in the sample when its score
``SHA-256(tag || seed || epoch || infohash)`` falls below ``rate_ppm`` millionths of the
score space, so membership does not depend on which other swarms appear in the epoch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from stellar_sdk import Keypair

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.registration import Registration
from servicelayer.probes.sampling import PPM, sample_score
from servicelayer.receipts.model import Kind
from servicelayer.storage import evidence_repo
from servicelayer.storage.verification_models import ProbeSeed

SEED_TAG = b"ACE-PROBE-SEED-V1\x00"
_SCORE_SPACE = 2**256
V1_INFOHASH_HEX = 40


def seed_message(network_id: bytes, epoch: int) -> bytes:
    return SEED_TAG + network_id + epoch.to_bytes(8, "big")


def epoch_seed(session: Session, keypair: Keypair, network_id: bytes, epoch: int) -> bytes:
    """The epoch's seed, signed and stored on first use (the same one ever after)."""
    stored = evidence_repo.seed(session, epoch)
    if stored is not None:
        return bytes.fromhex(stored.seed)
    signature = keypair.sign(seed_message(network_id, epoch))
    seed = hashlib.sha256(signature).digest()
    evidence_repo.put_seed(
        session,
        ProbeSeed(
            epoch=epoch, signer=keypair.public_key, signature=signature.hex(), seed=seed.hex()
        ),
    )
    return seed


def in_sample(seed: bytes, epoch: int, infohash: str, rate_ppm: int) -> bool:
    score = int.from_bytes(sample_score(seed, epoch, infohash), "big")
    return score * PPM < rate_ppm * _SCORE_SPACE


@dataclass(frozen=True)
class PlannedProbe:
    infohash: str
    peers: tuple[Endpoint, ...]  # registered endpoints of the accounts the receipts name


def plan(
    session: Session,
    epoch: int,
    epoch_seconds: int,
    seed: bytes,
    rate_ppm: int,
    registrations: Iterable[Registration],
) -> list[PlannedProbe]:
    """Sampled swarms of ``epoch`` named by bandwidth receipts and not probed yet."""
    start, end = epoch_bounds(epoch, epoch_seconds)
    parties = evidence_repo.bandwidth_parties(session, int(Kind.BANDWIDTH), start, end)
    done = evidence_repo.probed_swarms(session, epoch)
    endpoints = {reg.account_id: reg.endpoints for reg in registrations}
    accounts: dict[str, set[str]] = {}
    for content, signer, counterparty in parties:
        if len(content) != V1_INFOHASH_HEX:  # probing v2-only swarms is not supported yet
            continue
        if content in done or not in_sample(seed, epoch, content, rate_ppm):
            continue
        named = accounts.setdefault(content, set())
        named.update(a for a in (signer, counterparty) if a)
    return [
        PlannedProbe(
            content,
            tuple(sorted({e for account in names for e in endpoints.get(account, ())}, key=str)),
        )
        for content, names in sorted(accounts.items())
    ]
