"""An epoch is judged with the registrations in force during it, whenever it is verified
or replayed: an account that moved to a new endpoint later still owns its old one for
the epochs it used it in (real SQLite and PostgreSQL, injected times)."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register, registrations_in_force
from servicelayer.receipts import network_id
from servicelayer.storage.db import Database
from servicelayer.verification.inputs import load_inputs
from tests.conftest import BACKENDS
from tests.support import PASSPHRASE

pytestmark = pytest.mark.integration
NET = network_id(PASSPHRASE)
T0 = 1_800_000_000 - 1_800_000_000 % 3600
MINUTE = 60


def _register(db: Database, key: Keypair, seq: int, endpoint: str, at: int, valid: int) -> None:
    reg = build_registration(key.public_key, seq=seq, valid_until=at + valid, endpoints=[endpoint])
    with db.session(write=True) as s:
        register(s, to_json(sign_registration(reg, key, NET), NET), NET, at)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_epoch_keeps_the_registrations_in_force_during_it(db: Database) -> None:
    mover, leaver = Keypair.random(), Keypair.random()
    _register(db, mover, 1, "127.0.0.1:7001", T0, 3600)
    _register(db, leaver, 1, "127.0.0.1:7002", T0, 90)  # expires in the second minute
    _register(db, mover, 2, "127.0.0.1:7003", T0 + 3 * MINUTE + 20, 3600)  # moves
    with db.session() as s:

        def endpoints(minute: int) -> dict[str, set[str]]:
            start = T0 + minute * MINUTE
            held: dict[str, set[str]] = {}
            for reg in registrations_in_force(s, start, start + MINUTE):
                held.setdefault(reg.account_id, set()).update(str(e) for e in reg.endpoints)
            return held

        assert endpoints(0) == {
            mover.public_key: {"127.0.0.1:7001"},
            leaver.public_key: {"127.0.0.1:7002"},
        }
        assert endpoints(2) == {mover.public_key: {"127.0.0.1:7001"}}  # the leaver expired
        assert endpoints(3) == {mover.public_key: {"127.0.0.1:7001", "127.0.0.1:7003"}}
        assert endpoints(4) == {mover.public_key: {"127.0.0.1:7003"}}
        # verification (and replay) of minute 0, long after the move, reads the old endpoint
        inputs = load_inputs(s, (T0 // MINUTE), MINUTE)
        owned = {r.account: set(r.endpoints) for r in inputs.registrations}
        assert owned[mover.public_key] == {"127.0.0.1:7001"}
