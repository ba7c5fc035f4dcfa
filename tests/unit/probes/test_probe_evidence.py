"""Evidence values: JSON round trip, strict decoding, rate arithmetic, bitfields."""

from __future__ import annotations

import dataclasses
import json

import pytest

from servicelayer.errors import InvalidInput
from servicelayer.probes.evidence import (
    BitfieldSample,
    PeerObservation,
    ProbeCost,
    ServedSample,
    SwarmEvidence,
    bitfield_has,
    bitfield_hex,
    evidence_dumps,
    evidence_from_json,
    evidence_loads,
    evidence_to_json,
    served_rate,
)


def make_peer(**changes: object) -> PeerObservation:
    peer = PeerObservation(
        endpoint="127.0.0.1:6881",
        named=True,
        answered=True,
        peer_id="2d4c54323131302d" + "ab" * 12,
        client="libtorrent/2.1.1.0",
        first_seen=1_700_000_000,
        last_seen=1_700_000_030,
        sources=("named", "tracker"),
        payload_down=65536,
        payload_up=0,
        hash_failures=0,
        pieces=64,
        seed=True,
        banned=False,
        error="",
    )
    return dataclasses.replace(peer, **changes)  # type: ignore[arg-type]


def make_evidence() -> SwarmEvidence:
    return SwarmEvidence(
        infohash="ab" * 20,
        started_at=1_700_000_000,
        ended_at=1_700_000_030,
        has_metadata=True,
        num_pieces=64,
        piece_size=32768,
        total_size=2 * 1024 * 1024,
        budget_bytes=65536,
        sampled_pieces=(3, 17),
        verified_pieces=(3, 17),
        hash_failures=0,
        peers=(make_peer(), make_peer(endpoint="[::1]:7000", answered=False, error="refused")),
        bitfields=(BitfieldSample("127.0.0.1:6881", 1_700_000_001, 900, "ff" * 8, 64),),
        served=(
            ServedSample("127.0.0.1:6881", 1000, 0),
            ServedSample("127.0.0.1:6881", 1500, 65536),
        ),
        cost=ProbeCost(payload_down=65536, payload_up=0, protocol_down=1200, protocol_up=900),
    )


def test_evidence_round_trips_through_json() -> None:
    evidence = make_evidence()
    text = evidence_dumps(evidence)
    assert evidence_loads(text) == evidence
    assert json.loads(text)["infohash"] == "ab" * 20
    assert evidence_from_json(json.loads(text)).cost.total == 65536 + 1200 + 900


@pytest.mark.parametrize(
    "path, value",
    [
        (("infohash",), "AB" * 20),
        (("infohash",), "ab" * 19),
        (("started_at",), -1),
        (("started_at",), 1.5),
        (("has_metadata",), 1),
        (("version",), 2),
        (("cost", "payload_down"), "12"),
        (("peers", 0, "answered"), "yes"),
        (("bitfields", 0, "bitfield"), "zz"),
        (("served", 0, "payload_down"), True),
        (("sampled_pieces",), [1, -2]),
    ],
)
def test_any_mistyped_field_is_rejected(path: tuple[object, ...], value: object) -> None:
    data = evidence_to_json(make_evidence())
    target = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(InvalidInput) as raised:
        evidence_from_json(json.loads(json.dumps(data)))
    assert raised.value.code == "bad_evidence"


def test_missing_field_and_non_json_are_rejected() -> None:
    data = evidence_to_json(make_evidence())
    del data["peers"][0]["client"]
    with pytest.raises(InvalidInput, match="client"):
        evidence_from_json(data)
    with pytest.raises(InvalidInput):
        evidence_loads("{not json")


def test_served_rate_counts_only_the_time_bytes_were_flowing() -> None:
    samples = [
        ServedSample("p", 0, 0),
        ServedSample("p", 5000, 0),  # connected, idle for five seconds
        ServedSample("p", 6000, 100_000),
        ServedSample("p", 7000, 200_000),
        ServedSample("p", 30000, 200_000),  # idle again until the window closed
    ]
    assert served_rate(samples) == 100_000
    assert served_rate(list(reversed(samples))) == 100_000
    assert served_rate(samples[:2]) is None
    assert served_rate([]) is None


def test_bitfield_is_in_wire_order() -> None:
    pieces = [True, False, False, False, False, False, False, False, False, True]
    bits = bitfield_hex(pieces)
    assert bits == "8040"
    assert [bitfield_has(bits, i) for i in range(10)] == pieces
    assert not bitfield_has(bits, 16)
