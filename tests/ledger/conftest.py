from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelayer.ledger.standalone import StandaloneLedger
from tests.ledger.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> Iterator[StandaloneLedger]:
    opened = StandaloneLedger.open(data_dir=tmp_path, close_interval=None, clock=clock)
    yield opened
    opened.close()
