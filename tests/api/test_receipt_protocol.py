"""docs/protocol.md and a real node agree: resending, results, decoding, reading back.

The tables of docs/protocol.md marked ``<!-- requests -->``, ``<!-- decoding -->`` and
``<!-- reads -->`` are sent to the node row by row, so the document cannot drift from
what the node answers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Keypair

from servicelayer.receipts.peer import NodeClient, succeeded
from tests.api.helpers import sign_in
from tests.support import NodeProcess, make_signer, mid_previous_epoch

pytestmark = pytest.mark.integration

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
G = "GAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3QZ6Q"  # "G" in the decoding table
RESULT_KEYS = {"id", "status", "reason", "detail"}


def _table(marker: str) -> list[list[str]]:
    """The rows of the table after ``<!-- marker -->``, cells without their backticks."""
    lines = DOC.split(f"<!-- {marker} -->\n", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]
    assert rows, f"docs/protocol.md lost its {marker} table"
    return [[cell.strip("`") for cell in row] for row in rows]


def _answer(cell: str) -> tuple[int, str | None]:
    status, _, rest = cell.partition(" ")
    code = re.match(r"`?([a-z_]+)`?$", rest)
    return int(status), code.group(1) if code else None


def _example(section: str, index: int = 0) -> dict[str, Any]:
    """The ``index``-th JSON example of a section of docs/protocol.md."""
    text = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    example: dict[str, Any] = json.loads(blocks[index])
    return example


def _post(node: NodeProcess, receipts: list[Any]) -> list[dict[str, Any]]:
    return node.submit(receipts)


REQUESTS = _table("requests")


@pytest.mark.parametrize(("content_type", "body", "answer"), REQUESTS, ids=[r[1] for r in REQUESTS])
def test_whole_requests_are_answered_as_documented(
    api_node: NodeProcess, content_type: str, body: str, answer: str
) -> None:
    headers = {} if content_type == "*(none)*" else {"Content-Type": content_type}
    with api_node.client() as c:
        response = c.post("/v1/receipts", content=body.encode(), headers=headers)
    status, code = _answer(answer)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["results"] == [
            {
                "id": None,
                "status": "rejected",
                "reason": "malformed",
                "detail": "version must be an integer",
            }
        ]
    else:
        assert response.json()["error"] == code


DECODING = _table("decoding")


@pytest.mark.parametrize(("item", "reason"), DECODING, ids=[r[0] for r in DECODING])
def test_items_that_do_not_decode_get_the_documented_reason_and_no_id(
    api_node: NodeProcess, item: str, reason: str
) -> None:
    (result,) = _post(api_node, [json.loads(item.replace('"G"', f'"{G}"'))])
    assert (result["status"], result["reason"], result["id"]) == ("rejected", reason, None)
    assert result["detail"]


READS = _table("reads")


@pytest.mark.parametrize(("request_line", "answer"), READS, ids=[r[0][-40:] for r in READS])
def test_reads_are_answered_as_documented(
    api_node: NodeProcess, request_line: str, answer: str
) -> None:
    method, path = request_line.split(" ", 1)
    with api_node.client() as c:
        headers = {}
        if "/ME/" in path:  # the signed-in account's own history
            me = Keypair.random()
            path = path.replace("/ME/", f"/{me.public_key}/")
            headers["Authorization"] = f"Bearer {sign_in(c, me)}"
        response = c.request(method, path, headers=headers)
    status, code = _answer(answer)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json() == {"error": code, "detail": response.json()["detail"]}


def test_a_resent_batch_is_success_for_every_receipt_the_node_counted(
    api_node: NodeProcess,
) -> None:
    downloader, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    window = t - t % 60
    session = downloader.bandwidth_session(uploader.account, bytes(20), t - 600)
    batch = [
        downloader.wire(session.update(1_000, window)),
        downloader.wire(session.update(2_000, window + 30)),  # replaces the first in its window
        downloader.wire(session.update(3_000, window + 60)),
    ]
    first = _post(api_node, batch)
    again = _post(api_node, batch)
    later = _post(api_node, batch[:1])

    assert [r["status"] for r in first] == ["accepted"] * 3
    assert [r["status"] for r in again] == ["superseded", "duplicate", "duplicate"]
    assert [r["id"] for r in again] == [r["id"] for r in batch]
    assert later[0]["status"] == "superseded"
    assert all(succeeded(r) for r in again + later)
    assert {frozenset(r) for r in again} == {frozenset(RESULT_KEYS)}
    with api_node.client() as c:
        assert c.get(f"/v1/receipts/{batch[0]['id']}").status_code == 404
        assert c.get(f"/v1/receipts/{batch[1]['id']}").json()["added"] == 2_000


def test_a_changed_or_contradicting_old_receipt_is_not_taken_for_a_resend(
    api_node: NodeProcess,
) -> None:
    downloader, uploader, forger = make_signer(), make_signer(), make_signer()
    t = mid_previous_epoch()
    window = t - t % 60
    session = downloader.bandwidth_session(uploader.account, bytes(20), t - 600)
    old = downloader.wire(session.update(1_000, window))
    stored = downloader.wire(session.update(5_000, window))
    assert [r["status"] for r in _post(api_node, [old, stored])] == ["accepted", "accepted"]

    lowered = {k: v for k, v in old.items() if k != "id"} | {"bytes": 999}
    forged_session = forger.bandwidth_session(uploader.account, bytes(20), t - 600)
    forged_session.session = session.session
    forged = forger.wire(forged_session.update(900, window))
    forged = forged | {"signer": downloader.account}  # another key's signature over other bytes
    del forged["id"]
    same_seq = session.seq
    session.seq = same_seq - 1
    twin = downloader.wire(session.update(4_000, window))  # seq of `stored`, other bytes
    session.seq = 5
    lower = downloader.wire(session.update(4_500, window))  # a higher seq, below the stored total
    results = _post(api_node, [lowered, forged, twin, lower])
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "bad_signature"),
        ("rejected", "bad_signature"),
        ("rejected", "stale_sequence"),
        ("rejected", "counter_regressed"),
    ]
    with api_node.client() as c:
        assert c.get(f"/v1/receipts/{stored['id']}").json()["receipt"]["bytes"] == 5_000


def test_rejected_results_carry_the_computed_id_once_the_item_decodes(
    api_node: NodeProcess,
) -> None:
    viewer = make_signer()
    t = mid_previous_epoch()
    good = viewer.wire(viewer.viewing_session(bytes(32), t - 120).update(60, t))
    claimed = "00" * 32
    unsigned = good | {"signature": "00" * 64}
    del unsigned["id"]
    results = _post(api_node, [good | {"id": claimed}, unsigned, good | {"seq": 0}])
    assert [(r["reason"], r["id"]) for r in results] == [
        ("id_mismatch", good["id"]),
        ("bad_signature", good["id"]),
        ("out_of_bounds", None),
    ]


def test_a_stored_receipt_reads_back_as_documented(api_node: NodeProcess) -> None:
    downloader, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    window = t - t % 60
    session = downloader.bandwidth_session(uploader.account, bytes(20), t - 600)
    first = downloader.wire(session.update(7_000, window))  # the session began windows earlier
    gap = downloader.wire(session.update(9_500, window + 180))  # after two empty windows
    assert [r["status"] for r in _post(api_node, [first, gap])] == ["accepted"] * 2
    with api_node.client() as c:
        answers = [c.get(f"/v1/receipts/{r['id']}").json() for r in (first, gap)]
    documented = _example("8. Reading back")
    for answer, wire in zip(answers, (first, gap), strict=True):
        assert set(answer) == set(documented)
        assert set(answer["receipt"]) == set(documented["receipt"])
        assert answer["receipt"] == wire
        assert answer["verification"] is None
        assert answer["epoch"] == wire["window_start"] // 3600
    assert [a["added"] for a in answers] == [7_000, 2_500]


def test_usage_counts_the_stored_receipts_one_per_stream_and_window(
    api_node: NodeProcess,
) -> None:
    downloader, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    window = t - t % 60
    session = downloader.bandwidth_session(uploader.account, bytes(20), t - 600)
    batch = [downloader.wire(session.update(n * 1_000, window)) for n in (1, 2, 3)]
    batch.append(downloader.wire(session.update(5_000, window + 60)))
    assert [r["status"] for r in _post(api_node, batch)] == ["accepted"] * 4
    with api_node.client() as c:
        usage = {
            who.account: c.get(
                f"/v1/accounts/{who.account}/usage",
                params={"epoch": t // 3600},
                headers={"Authorization": f"Bearer {sign_in(c, who.keypair)}"},
            ).json()
            for who in (downloader, uploader)
        }
    assert set(usage[uploader.account]) == set(_example("8. Reading back", 1))
    assert (usage[uploader.account]["uploaded_bytes"], usage[uploader.account]["receipts"]) == (
        5_000,
        2,
    )
    assert (
        usage[downloader.account]["downloaded_bytes"],
        usage[downloader.account]["receipts"],
    ) == (
        5_000,
        2,
    )


def test_the_sdk_submits_bandwidth_and_viewing_sessions_alike(api_node: NodeProcess) -> None:
    signer, uploader = make_signer(), make_signer()
    t = mid_previous_epoch()
    download = signer.bandwidth_session(
        uploader=uploader.account, content=bytes(20), started_at=t - 60
    )
    watch = signer.viewing_session(content=bytes(20), started_at=t - 60)
    with pytest.warns(DeprecationWarning, match="content"):
        legacy = signer.bandwidth_session(uploader.account, infohash=bytes(20), started_at=t - 60)
    batch = [signer.wire(s.update(30, t)) for s in (download, watch, legacy)]
    with NodeClient(api_node.url) as client:
        first = client.submit(batch)
        again = client.submit(batch)
    assert [r["status"] for r in first] == ["accepted"] * 3
    assert all(succeeded(r) for r in first + again)
    assert {r["content"] for r in batch} == {"00" * 20}
