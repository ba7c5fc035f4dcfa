"""The demo's verdict table and summary read any verdict value the node stores."""

from __future__ import annotations

from typing import Any

from node.demo import truth

NAMES = {"GUMA": "uma", "GVIC": "vic", "GCHEAT": "cheater"}


def name(account: str) -> str:
    return NAMES.get(account, account[:8])


def make_judged(
    rid: str,
    verdict: str,
    weight: int,
    reasons: list[str],
    *,
    signer: str = "GVIC",
    kind: str = "bandwidth",
    epoch: int = 7,
    resolution: dict[str, Any] | None = None,
) -> truth.Judged:
    view = {
        "receipt_id": rid,
        "epoch": epoch,
        "verdict": verdict,
        "weight_ppm": weight,
        "reasons": reasons,
        "evidence": [],
        "resolution": resolution,
    }
    wire = {"kind": kind, "signer": signer}
    if kind == "bandwidth":
        wire["uploader"] = "GUMA"
    return truth.judged(view, wire, name)


def test_an_epoch_is_counted_by_verdict_and_reasons_with_whose_receipts() -> None:
    rows = truth.epoch_rows(
        [
            make_judged("a", "accepted", truth.FULL_PPM, []),
            make_judged("b", "accepted", truth.FULL_PPM, [], kind="viewing"),
            make_judged("c", "accepted", truth.FULL_PPM, []),
            make_judged("d", "rejected", 0, ["uploader_absent"], signer="GCHEAT"),
            make_judged("e", "down_weighted", 500_000, ["exceeds_stream_bitrate"]),
            make_judged("f", "verified", truth.FULL_PPM, [], signer="GNEWCOMER"),
        ]
    )
    assert [(r.verdict, r.reasons, r.count, r.whose, r.style) for r in rows] == [
        ("accepted", "—", 3, "uma→vic 2 · vic watched 1", "green"),
        ("down_weighted", "exceeds_stream_bitrate", 1, "uma→vic 1", "yellow"),
        ("rejected", "uploader_absent", 1, "uma→cheater 1", "red"),
        ("verified", "—", 1, "uma→GNEWCOME 1", "green"),
    ]


def test_a_deferred_verdict_is_final_only_once_a_later_epoch_resolves_it() -> None:
    held = make_judged("a", "deferred", 0, ["unvetted_account"])
    assert held.final is None
    [row] = truth.epoch_rows([held])
    assert (row.verdict, row.style) == ("deferred", "cyan")
    released = make_judged(
        "a",
        "deferred",
        0,
        ["unvetted_account"],
        resolution={"epoch": 8, "verdict": "accepted", "weight_ppm": truth.FULL_PPM, "reasons": []},
    )
    assert released.final == truth.Outcome(8, "accepted", truth.FULL_PPM, ())
    [row] = truth.resolution_rows([released])
    assert (row.verdict, row.count, row.whose, row.style) == (
        "accepted (deferred in 7)",
        1,
        "uma→vic 1",
        "green",
    )
    assert released.to_json()["final"]["weight_ppm"] == truth.FULL_PPM


def test_the_summary_counts_each_actor_and_shows_stroops_as_xlm() -> None:
    receipts = [
        make_judged("a", "accepted", truth.FULL_PPM, []),
        make_judged(
            "b",
            "deferred",
            0,
            [],
            resolution={"epoch": 8, "verdict": "accepted", "weight_ppm": truth.FULL_PPM},
        ),
        make_judged("c", "rejected", 0, ["downloader_absent"], signer="GCHEAT"),
    ]
    sent = {"vic": [{"status": "accepted"}] * 2, "cheater": [{"status": "rejected"}] * 3}
    paid = truth.paid_by_account(
        [
            {"account": "GUMA", "asset": "native", "amount": 12_345_678, "status": "paid"},
            {"account": "GUMA", "asset": "native", "amount": 1, "status": "failed"},
            {"account": "GUMA", "asset": "ACE:GISSUER", "amount": 5, "status": "paid"},
        ]
    )
    lines = truth.actor_lines(["uma", "vic", "cheater"], sent, receipts, {"uma": paid["GUMA"]})
    assert [
        (x.name, x.signed, x.refused_at_ingest, x.own, x.as_uploader, x.paid) for x in lines
    ] == [
        (
            "uma",
            0,
            0,
            "—",
            "accepted 1, deferred→accepted 1, rejected 1",
            "0.0000005 ACE + 1.2345678 XLM",
        ),
        ("vic", 2, 0, "accepted 1, deferred→accepted 1", "—", "—"),
        ("cheater", 3, 3, "rejected 1", "—", "—"),
    ]
