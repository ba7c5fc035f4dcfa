"""The REST API of a real node process (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import signal
import socket
import threading
from pathlib import Path

import httpx
import pytest

from tests.api.helpers import sign_in
from tests.conftest import BACKENDS
from tests.support import NodeProcess, make_signer, mid_previous_epoch, now

pytestmark = pytest.mark.integration
INFOHASH = bytes(range(32))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_receipts_survive_a_restart(node: NodeProcess) -> None:
    downloader, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    session = downloader.bandwidth_session(uploader.account, INFOHASH, t - 300)
    receipts = [downloader.wire(session.update(n * 1_000_000, t - 60 * (4 - n))) for n in (1, 2, 3)]
    assert [r["status"] for r in node.submit(receipts)] == ["accepted"] * 3

    assert node.stop() == 0
    node.start()

    with node.client() as c:
        stored = c.get(f"/v1/receipts/{receipts[-1]['id']}")
        auth = {"Authorization": f"Bearer {sign_in(c, uploader.keypair)}"}  # usage is private
        usage = c.get(
            f"/v1/accounts/{uploader.account}/usage", params={"epoch": t // 3600}, headers=auth
        )
    assert stored.status_code == 200 and stored.json()["receipt"] == receipts[-1]
    assert usage.json()["uploaded_bytes"] == 3_000_000
    assert [r["status"] for r in node.submit(receipts)] == ["duplicate"] * 3


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_results_come_back_in_input_order(node: NodeProcess) -> None:
    viewer = make_signer()
    t = now()
    good = viewer.wire(viewer.viewing_session(INFOHASH, t - 120).update(60, t))
    results = node.submit([{"kind": "viewing"}, good, good, dict(good, seconds=61)])
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "malformed"),
        ("accepted", None),
        ("duplicate", None),
        ("rejected", "id_mismatch"),
    ]
    assert results[1]["id"] == good["id"]


HOSTILE_BODIES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"{", id="truncated"),
    pytest.param(b"[1, 2]", id="array"),
    pytest.param(b'{"receipts": 5}', id="not-a-list"),
    pytest.param(b'{"receipts": []}', id="empty-batch"),
    pytest.param(b'{"receipts": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", id="deep-nesting"),
    pytest.param(
        b'{"receipts": [{"version": 1, "kind": "viewing", "seq": 1e999}]}', id="huge-number"
    ),
    pytest.param(b'{"receipts": [{"version": 100000000000000000000000000000}]}', id="bigint"),
    pytest.param('{"receipts": ["\u202e\U0001f600"]}'.encode(), id="unicode"),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
    pytest.param(json.dumps({"receipts": [{}] * 1001}).encode(), id="batch-over-limit"),
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_bad_input_gets_a_clear_4xx_and_the_node_keeps_serving(tmp_path: Path, body: bytes) -> None:
    node = NodeProcess(tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    node.start()
    try:
        with node.client() as c:
            response = c.post(
                "/v1/receipts", content=body, headers={"content-type": "application/json"}
            )
            assert 400 <= response.status_code < 500 or response.status_code == 200
            if response.status_code != 200:
                assert set(response.json()) == {"error", "detail"}
            else:
                assert all(r["status"] == "rejected" for r in response.json()["results"])
            assert c.get("/v1/health").status_code == 200
    finally:
        assert node.stop() == 0


def test_oversized_bodies_get_413_even_without_a_length(tmp_path: Path) -> None:
    node = NodeProcess(
        tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}", ACENODE_MAX_BODY_BYTES="4096"
    )
    node.start()
    try:
        chunks = (b"x" * 1024 for _ in range(10))  # chunked transfer, no content-length
        with node.client() as c:
            response = c.post(
                "/v1/receipts", content=chunks, headers={"content-type": "application/json"}
            )
        assert response.status_code == 413
        assert response.json()["error"] == "body_too_large"
    finally:
        assert node.stop() == 0


def test_sigterm_drains_the_request_in_flight(tmp_path: Path) -> None:
    node = NodeProcess(tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    node.start()
    viewer = make_signer()
    t = now()
    body = json.dumps(
        {"receipts": [viewer.wire(viewer.viewing_session(INFOHASH, t - 120).update(30, t))]}
    ).encode()
    with socket.create_connection(("127.0.0.1", node.port), timeout=30) as sock:
        sock.sendall(
            b"POST /v1/receipts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        with httpx.Client(base_url=node.url) as c:  # the first request is now in flight
            assert c.get("/v1/health").status_code == 200
        assert node.proc is not None
        node.proc.send_signal(signal.SIGTERM)
        sock.sendall(body[10:])
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"accepted"' in answer
    assert node.proc.wait(timeout=30) == 0


def test_openapi_documents_every_error(tmp_path: Path) -> None:
    node = NodeProcess(tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    node.start()
    try:
        with node.client() as c:
            spec = c.get("/openapi.json").json()
    finally:
        node.stop()
    post = spec["paths"]["/v1/receipts"]["post"]
    assert {"400", "413", "422"} <= set(post["responses"])
    for path in spec["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut")


def test_concurrent_clients_are_all_answered(tmp_path: Path) -> None:
    node = NodeProcess(tmp_path / "node", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    node.start()
    statuses: list[int] = []
    t = now()

    def peer() -> None:
        signer = make_signer()
        session = signer.viewing_session(INFOHASH, t - 600)
        batch = [signer.wire(session.update(60 * i, t - 600 + 60 * i)) for i in range(1, 10)]
        with node.client() as c:
            r = c.post("/v1/receipts", json={"receipts": batch})
            statuses.append(r.status_code)
            assert all(x["status"] == "accepted" for x in r.json()["results"])

    threads = [threading.Thread(target=peer) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert statuses == [200] * 8
    assert node.stop() == 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_closed_epochs_are_listed_and_receipts_for_them_refused(
    node: NodeProcess, database_url: str
) -> None:
    from servicelayer.epochs.closing import close_epoch
    from servicelayer.storage.db import Database

    viewer = make_signer()
    t = mid_previous_epoch()
    receipt = viewer.wire(viewer.viewing_session(INFOHASH, t - 120).update(60, t))
    assert node.submit([receipt])[0]["status"] == "accepted"
    database = Database(database_url)
    with database.session(write=True) as session:
        close_epoch(session, t // 3600, 3600, now())
    database.dispose()
    with node.client() as c:
        listed = c.get("/v1/epochs").json()["epochs"]
        one = c.get(f"/v1/epochs/{t // 3600}").json()
        missing = c.get(f"/v1/epochs/{t // 3600 + 1}")
    assert [e["number"] for e in listed] == [t // 3600]
    assert one["receipts"] == 1 and one["status"] == "closed"
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    late = viewer.wire(viewer.viewing_session(INFOHASH, t - 120).update(30, t))
    assert node.submit([late])[0]["reason"] == "epoch_closed"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_payouts_and_proofs_answer_clearly_before_any_epoch_is_computed(
    node: NodeProcess,
) -> None:
    with node.client() as c:
        answers = {
            path: c.get(path)
            for path in (
                "/v1/payouts/epoch-1-2",
                "/v1/payouts/not-a-payout",
                "/v1/payouts/epoch-99999999999999-1",
                f"/v1/receipts/{'ab' * 32}/proof",
                "/v1/receipts/XYZ/proof",
                "/v1/epochs/5/payouts",
                "/v1/epochs/-1/payouts",
            )
        }
    codes = {path: (r.status_code, r.json()["error"]) for path, r in answers.items()}
    assert codes == {
        "/v1/payouts/epoch-1-2": (404, "unknown_payout"),
        "/v1/payouts/not-a-payout": (422, "invalid_payout_id"),
        "/v1/payouts/epoch-99999999999999-1": (422, "invalid_payout_id"),
        f"/v1/receipts/{'ab' * 32}/proof": (404, "receipt_not_verified"),
        "/v1/receipts/XYZ/proof": (422, "invalid_request"),
        "/v1/epochs/5/payouts": (404, "not_found"),
        "/v1/epochs/-1/payouts": (422, "invalid_request"),
    }


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_resending_after_the_epoch_closed_is_still_success_for_what_was_counted(
    node: NodeProcess, database_url: str
) -> None:
    from servicelayer.epochs.closing import close_epoch
    from servicelayer.receipts.peer import succeeded
    from servicelayer.storage.db import Database

    downloader, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    window = t - t % 60
    session = downloader.bandwidth_session(uploader.account, INFOHASH, t - 600)
    batch = [downloader.wire(session.update(total, window)) for total in (1_000, 2_000)]
    assert [r["status"] for r in node.submit(batch)] == ["accepted", "accepted"]
    database = Database(database_url)
    with database.session(write=True) as s:
        close_epoch(s, t // 3600, 3600, now())
    database.dispose()

    lowered = {k: v for k, v in batch[0].items() if k != "id"} | {"bytes": 500}
    unseen = downloader.wire(session.update(3_000, window))  # never counted before the close
    results = node.submit([*batch, lowered, unseen])
    assert [(r["status"], r["reason"]) for r in results] == [
        ("superseded", None),
        ("duplicate", None),
        ("rejected", "epoch_closed"),
        ("rejected", "epoch_closed"),
    ]
    assert [succeeded(r) for r in results] == [True, True, False, False]
