"""A demo peer process: signs receipts with its own key and submits them to a node.

    python -m node.demo.peer ROLE --node URL --key FILE --peer NAME=G... [...]

Prints one JSON line per receipt it submitted: {peer, what, status, reason}.
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

VIDEO = bytes.fromhex("c12fe1c06bba254a9dc9f519b335aa7c1367a88a")  # the demo stream's infohash
MB = 1_000_000
Plan = list[tuple[str, dict[str, Any]]]


def viewer(signer: ReceiptSigner, peers: dict[str, str], now: int) -> Plan:
    """Watches the stream for five minutes, fetching it from two uploaders."""
    start = now - 300
    plan: Plan = []
    for name in ("uploader-1", "uploader-2"):
        session = signer.bandwidth_session(peers[name], VIDEO, start)
        for minute, total in enumerate((40, 95, 150, 190, 260), start=1):
            receipt = session.update(total * MB, start + 60 * minute - 30)
            plan.append((f"bandwidth from {name}: {total} MB", signer.wire(receipt)))
    watching = signer.viewing_session(VIDEO, start)
    for minute in range(1, 6):
        signed_at = start + 60 * minute - 30
        seconds = signed_at - start - 5  # never more than the time since the session began
        plan.append((f"watched {seconds} s", signer.wire(watching.update(seconds, signed_at))))
    return plan


def cdn_edge(signer: ReceiptSigner, peers: dict[str, str], now: int) -> Plan:
    """A CDN edge of a hybrid broadcaster, serving the viewer the first two minutes."""
    session = signer.cdn_session(peers["viewer"], VIDEO, now - 300)
    return [
        (
            f"cdn served viewer {total} MB",
            signer.wire(session.update(total * MB, now - 270 + 60 * i)),
        )
        for i, total in enumerate((30, 55))
    ]


def cheater(signer: ReceiptSigner, peers: dict[str, str], now: int) -> Plan:
    """Tries the classic tricks against the node."""
    start = now - 300
    honest = signer.bandwidth_session(peers["uploader-1"], VIDEO, start)
    first = signer.wire(honest.update(10 * MB, start + 30))
    second = signer.wire(honest.update(20 * MB, start + 90))
    tampered = {k: v for k, v in second.items() if k != "id"} | {"bytes": 900 * MB}
    honest.seq = 1
    reused = signer.wire(honest.update(30 * MB, start + 150))
    honest.seq = 10
    backwards = signer.wire(honest.update(5 * MB, start + 150))
    greedy = signer.bandwidth_session(peers["uploader-2"], VIDEO, now - 60)
    implausible = signer.wire(greedy.update(50_000 * MB, now))
    foreign = ReceiptSigner(signer.keypair, "Test SDF Network ; September 2015")
    other_net = foreign.wire(foreign.viewing_session(VIDEO, start).update(60, start + 90))
    future = signer.wire(signer.viewing_session(VIDEO, now).update(60, now + 3600))
    self_paid = signer.wire(signer.bandwidth_session(signer.account, VIDEO, start).update(MB, now))
    return [
        ("honest receipt", first),
        ("next honest receipt", second),
        ("replay of a receipt already accepted", first),
        ("bytes edited after signing", tampered),
        ("sequence number reused", reused),
        ("total going backwards", backwards),
        ("50 GB in one minute", implausible),
        ("signed for another network", other_net),
        ("window an hour ahead", future),
        ("paying itself", self_paid),
    ]


ROLES: dict[str, Callable[[ReceiptSigner, dict[str, str], int], Plan]] = {
    "viewer": viewer,
    "cdn-edge": cdn_edge,
    "cheater": cheater,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=sorted(ROLES))
    parser.add_argument("--node", required=True)
    parser.add_argument("--key", required=True, type=Path)
    parser.add_argument("--passphrase", required=True)
    parser.add_argument("--peer", action="append", default=[], help="NAME=G...")
    args = parser.parse_args()
    peers = dict(p.split("=", 1) for p in args.peer)
    signer = ReceiptSigner(load_key_file(args.key), args.passphrase)
    plan = ROLES[args.role](signer, peers, int(time.time()))
    with NodeClient(args.node) as node:
        results = node.submit([receipt for _, receipt in plan])
    for (what, _), result in zip(plan, results, strict=True):
        line = {"peer": args.role, "what": what, **result}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
