"""Only one issuance carries out transactions per database at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelayer.errors import Conflict
from servicelayer.issuance.lock import issuance_lock
from servicelayer.settlement.lock import settlement_lock
from servicelayer.storage.db import Database


def test_a_second_issuance_is_refused_while_one_runs(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    with issuance_lock(db):
        with pytest.raises(Conflict) as busy, issuance_lock(db):
            pass
        assert busy.value.code == "busy"
        with settlement_lock(db):  # a settlement may run meanwhile
            pass
    with issuance_lock(db):  # released
        pass
    db.dispose()
