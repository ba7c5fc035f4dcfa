"""Playback backed by bytes received in an earlier epoch, read from the store (SQLite and
PostgreSQL): a video downloaded in epoch E and watched on in E+1 is paid; minutes
watched with no byte ever received are not."""

from __future__ import annotations

import pytest

from servicelayer.epochs.pipeline import PipelineConfig, advance
from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.storage.db import Database
from servicelayer.verification.model import ContentInfo
from tests.conftest import BACKENDS
from tests.integration.test_ingest_storage import INFOHASH, NOW, submit
from tests.support import make_signer

pytestmark = pytest.mark.integration
S = 3600
E = NOW // S
BITRATE = 50_000  # bytes per second
CONTENT = INFOHASH.hex()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_bytes_of_an_earlier_epoch_back_viewing_now(db: Database) -> None:
    viewer, uploader, faker = make_signer(), make_signer(), make_signer()
    start = E * S + S - 300  # E's last five minutes
    got = viewer.bandwidth_session(uploader.account, INFOHASH, start)
    watched = viewer.viewing_session(INFOHASH, start)
    fake = faker.viewing_session(INFOHASH, start)
    early, late = [], []
    for w in range(5):  # E's last five windows: 75 s of video a minute, 60 s watched
        at = start + 60 * w + 50
        early += [viewer.wire(got.update(75 * BITRATE * (w + 1), at))]
        early += [viewer.wire(watched.update(60 * w + 50, at))]
    for w, total in enumerate((350, 395)):  # E+1: watched on from the buffer, no new bytes
        late += [viewer.wire(watched.update(total, (E + 1) * S + 60 * w + 50))]
    late += [faker.wire(fake.update(50, (E + 1) * S + 50))]  # no byte received, ever
    assert submit(db, early, start + 299) == [("accepted", None)] * 10
    assert submit(db, late, (E + 1) * S + 115) == [("accepted", None)] * 3
    advance(db, PipelineConfig(epoch_seconds=S, close_grace_seconds=0), [], "w", (E + 2) * S)
    catalog = [ContentInfo(CONTENT, BITRATE)]
    with db.session(write=True) as s:
        verify_closed_epoch(s, E, S, catalog=catalog)
        verdicts = verify_closed_epoch(s, E + 1, S, catalog=catalog).by_id()
    assert [verdicts[w["id"]].weight_ppm for w in late[:2]] == [1_000_000] * 2
    assert verdicts[late[2]["id"]].weight_ppm == 0
    assert verdicts[late[2]["id"]].reasons == ("viewing_not_backed_by_bytes",)
