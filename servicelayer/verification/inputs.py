"""From what the node stored to what verification reads (EpochInputs).

Stored receipts that their epoch's close counted become claims (``delta`` = what the
receipt's window adds; the ones a stream rule refused get their verdict from
``servicelayer.epochs.verifying``), stored probe
evidence becomes ``SwarmProbe``s whose peers carry the account that registered their
endpoint, and stored reputations come back as ``Reputation`` values. Evidence is read by
when it was observed: every probe that ran during the epoch's windows, whichever epoch
planned it (a probe planned for one epoch often runs into the next).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.probes import registration as signed_registration
from servicelayer.probes.evidence import SwarmEvidence, evidence_loads, served_span
from servicelayer.probes.registry import registrations_in_force
from servicelayer.receipts.model import Kind
from servicelayer.storage import evidence_repo, receipts_repo, verdicts_repo
from servicelayer.storage.receipts_repo import ReceiptRecord
from servicelayer.storage.verification_models import StoredReputation
from servicelayer.verification.model import (
    BandwidthClaim,
    CdnClaim,
    ContentInfo,
    EarlierUsage,
    EpochInputs,
    PeerObservation,
    Registration,
    SwarmProbe,
    ViewerPayment,
    ViewingClaim,
)
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.tolerances import VIEW_CARRY_SECONDS


def load_inputs(
    session: Session,
    epoch: int,
    epoch_seconds: int,
    *,
    catalog: Sequence[ContentInfo] = (),
    payments: Sequence[ViewerPayment] = (),
) -> EpochInputs:
    start, end = epoch_bounds(epoch, epoch_seconds)
    records = [
        r for r in receipts_repo.records_in_windows(session, start, end) if r.stream_outcome is None
    ]
    registrations = registrations_in_force(session, start, end)
    owners = _owners(registrations)
    bitrates = {c.infohash: c.bitrate for c in catalog}
    probes = [
        to_probe(f"probe-{row.source or row.id}", evidence_loads(row.evidence), owners, bitrates)
        for row in evidence_repo.evidence_observed(session, start, end)
    ]
    viewing = tuple(_viewing(r) for r in records if r.kind == Kind.VIEWING)
    watchers = sorted({(v.viewer, v.content) for v in viewing})
    since = max(0, start - VIEW_CARRY_SECONDS)
    earlier = receipts_repo.earlier_usage(session, since, start, watchers)
    return EpochInputs(
        epoch=epoch,
        epoch_start=start,
        epoch_seconds=epoch_seconds,
        bandwidth=tuple(_bandwidth(r) for r in records if r.kind == Kind.BANDWIDTH),
        viewing=viewing,
        earlier=tuple(EarlierUsage(*row) for row in earlier),
        cdn=tuple(_cdn(r) for r in records if r.kind == Kind.CDN),
        probes=tuple(probes),
        registrations=tuple(
            Registration(reg.account_id, tuple(str(e) for e in reg.endpoints))
            for reg in registrations
        ),
        reputations=tuple(load_reputations(session)),
        payments=tuple(payments),
        catalog=tuple(catalog),
    )


def _owners(registrations: Iterable[signed_registration.Registration]) -> dict[str, list[str]]:
    """endpoint -> the accounts whose registrations (in force in the epoch) name it."""
    owners: dict[str, set[str]] = {}
    for reg in registrations:
        for endpoint in reg.endpoints:
            owners.setdefault(str(endpoint), set()).add(reg.account_id)
    return {endpoint: sorted(accounts) for endpoint, accounts in owners.items()}


def to_probe(
    probe_id: str,
    evidence: SwarmEvidence,
    owners: dict[str, list[str]],
    bitrates: dict[str, int | None],
) -> SwarmProbe:
    """One probe's evidence as verification sees it. An endpoint two accounts registered
    is attributed to neither here; the shared-endpoint rule judges those accounts."""
    peers = []
    for p in evidence.peers:
        accounts = owners.get(p.endpoint, [])
        span = served_span(evidence.served_samples(p.endpoint))
        moved, serve_ms = span if span is not None else (0, 0)
        bitfield = sorted((b.at, b.pieces) for b in evidence.bitfields if b.endpoint == p.endpoint)
        check = evidence.service_check(p.endpoint)
        peers.append(
            PeerObservation(
                endpoint=p.endpoint,
                account=accounts[0] if len(accounts) == 1 else None,
                first_seen=p.first_seen,
                last_seen=max(p.last_seen, p.first_seen),
                answered_handshake=p.answered,
                bytes_served=moved,
                serve_seconds=serve_ms // 1000,
                bitfield=tuple(bitfield),
                hash_failures=p.hash_failures,
                service=check.result if check is not None else None,
            )
        )
    return SwarmProbe(
        probe_id=probe_id,
        infohash=evidence.infohash,
        start=evidence.started_at,
        end=max(evidence.ended_at, evidence.started_at + 1),
        piece_size=max(evidence.piece_size, 1),
        num_pieces=evidence.num_pieces,
        bitrate=bitrates.get(evidence.infohash),
        peers=tuple(sorted(peers, key=lambda o: o.endpoint)),
    )


def load_reputations(session: Session) -> list[Reputation]:
    out = []
    for row in verdicts_repo.reputations(session):
        fields = json.loads(row.state)
        fields["history"] = tuple(fields["history"])
        out.append(Reputation(**fields))
    return out


def reputation_row(rep: Reputation, epoch: int) -> StoredReputation:
    return StoredReputation(account=rep.account, epoch=epoch, state=json.dumps(asdict(rep)))


def _bandwidth(r: ReceiptRecord) -> BandwidthClaim:
    return BandwidthClaim(
        r.receipt_id,
        r.signer,
        r.counterparty or "",
        r.content,
        r.session,
        r.started_at,
        r.window_start,
        r.amount,
        r.amount - r.base,
    )


def _viewing(r: ReceiptRecord) -> ViewingClaim:
    return ViewingClaim(
        r.receipt_id,
        r.signer,
        r.content,
        r.session,
        r.started_at,
        r.window_start,
        r.amount,
        r.amount - r.base,
    )


def _cdn(r: ReceiptRecord) -> CdnClaim:
    return CdnClaim(
        r.receipt_id,
        r.signer,
        r.counterparty or "",
        r.content,
        r.session,
        r.started_at,
        r.window_start,
        r.amount,
        r.amount - r.base,
    )
