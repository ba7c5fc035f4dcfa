"""A demo peer process: signs receipts with its own key and submits them to a node.

    python -m node.demo.peer ROLE --node URL --key FILE --peer NAME=G... [...]

Prints one JSON line per receipt it submitted: {peer, what, id, status, reason}.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from servicelayer.keys import load_key_file
from servicelayer.receipts.peer import NodeClient, ReceiptSigner

MB = 1_000_000
Plan = list[tuple[str, dict[str, Any]]]


def cheater(signer: ReceiptSigner, peers: dict[str, str], now: int, video: bytes) -> Plan:
    """Tries the classic tricks against the node (all within the current minute)."""
    start = now - now % 60
    honest = signer.bandwidth_session(peers["uploader"], video, start)
    first = signer.wire(honest.update(2 * MB, now))
    second = signer.wire(honest.update(3 * MB, now))
    tampered = {k: v for k, v in second.items() if k != "id"} | {"bytes": 900 * MB}
    honest.seq = 1
    reused = signer.wire(honest.update(2 * MB + MB // 2, now))
    honest.seq = 10
    backwards = signer.wire(honest.update(1 * MB, now))
    greedy = signer.bandwidth_session(peers["uploader"], video, now - 1)
    implausible = signer.wire(greedy.update(50_000 * MB, now))
    foreign = ReceiptSigner(signer.keypair, "Test SDF Network ; September 2015")
    other_net = foreign.wire(foreign.viewing_session(video, start).update(1, now))
    future = signer.wire(signer.viewing_session(video, now).update(60, now + 3600))
    self_paid = signer.wire(signer.bandwidth_session(signer.account, video, start).update(MB, now))
    return [
        ("honest receipt", first),
        ("next honest receipt", second),
        ("replay of a receipt already accepted", first),
        ("bytes edited after signing", tampered),
        ("sequence number reused", reused),
        ("total going backwards", backwards),
        ("50 GB in one second", implausible),
        ("signed for another network", other_net),
        ("window an hour ahead", future),
        ("paying itself", self_paid),
    ]


ROLES: dict[str, Callable[[ReceiptSigner, dict[str, str], int, bytes], Plan]] = {"cheater": cheater}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=sorted(ROLES))
    parser.add_argument("--node", required=True)
    parser.add_argument("--key", required=True, type=Path)
    parser.add_argument("--passphrase", required=True)
    parser.add_argument("--peer", action="append", default=[], help="NAME=G...")
    parser.add_argument("--video", required=True, help="infohash (hex) of the stream")
    args = parser.parse_args()
    peers = dict(p.split("=", 1) for p in args.peer)
    signer = ReceiptSigner(load_key_file(args.key), args.passphrase)
    plan = ROLES[args.role](signer, peers, int(time.time()), bytes.fromhex(args.video))
    with NodeClient(args.node) as node:
        results = node.submit([receipt for _, receipt in plan])
    for (what, receipt), result in zip(plan, results, strict=True):
        line = {"peer": args.role, "what": what, "id": receipt.get("id"), **result}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
