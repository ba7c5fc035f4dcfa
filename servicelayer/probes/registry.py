"""The node's registry of peer registrations: accept newer ones, serve them back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelayer.errors import Conflict, NotFound
from servicelayer.probes.registration import (
    Registration,
    RegistrationError,
    decode_signed,
    from_json,
    to_json,
    verify_registration,
)
from servicelayer.storage import registrations_repo as repo
from servicelayer.storage.verification_models import StoredRegistration


@dataclass(frozen=True)
class Registered:
    account: str
    seq: int
    status: str  # "registered", or "unchanged" for a resubmission of the stored one


def register(session: Session, obj: Any, network_id: bytes, now: int) -> Registered:
    """Store a signed registration if it is valid, live and newer than the stored one."""
    signed, claimed_network = from_json(obj)
    if claimed_network != network_id:
        raise RegistrationError("signed for another Stellar network", code="wrong_network")
    reg = verify_registration(signed, network_id, now=now)
    stored = repo.get(session, reg.account_id, for_update=True)
    if stored is not None and stored.signed == signed.to_bytes():
        return Registered(reg.account_id, reg.seq, "unchanged")
    refuse_stale(reg, stored)
    repo.put(
        session,
        StoredRegistration(
            account=reg.account_id,
            seq=reg.seq,
            valid_until=reg.valid_until,
            endpoints=" ".join(str(e) for e in reg.endpoints),
            signed=signed.to_bytes(),
            received_at=now,
        ),
    )
    return Registered(reg.account_id, reg.seq, "registered")


def refuse_stale(reg: Registration, stored: StoredRegistration | None) -> None:
    """409 ``stale_sequence`` unless ``reg`` is newer than the account's registered one."""
    if stored is not None and reg.seq <= stored.seq:
        raise Conflict(
            f"seq {reg.seq} is not above the registered {stored.seq}", code="stale_sequence"
        )


def registration_json(session: Session, account: str, network_id: bytes) -> dict[str, Any]:
    stored = repo.get(session, account)
    if stored is None:
        raise NotFound(f"{account} has no registration")
    return to_json(decode_signed(stored.signed), network_id)


def live_registrations(session: Session, now: int) -> list[Registration]:
    """Every account's latest registration, not expired at ``now`` (whom a probe contacts)."""
    return [decode_signed(row.signed).registration for row in repo.live(session, now)]


def registrations_in_force(session: Session, start: int, end: int) -> list[Registration]:
    """Every registration in force at some time in ``[start, end)``, an account's older
    ones too if it moved meanwhile (input to an epoch's probe attribution: the same
    whenever the epoch is verified or replayed)."""
    return [decode_signed(row.signed).registration for row in repo.in_force(session, start, end)]
