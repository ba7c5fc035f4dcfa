"""``federation_overhead``: how much longer an epoch takes from its end to anchored (and to
settled) when three validators co-sign it (2 of 3) than when one node signs alone.

Each run is a local network (testnet.federation) on a fresh embedded ledger: real
``acenode run`` processes, one-minute epochs, the same inputs seeded into every
validator (``payees`` providers, each owed one film's revenue; their accounts exist, so
every payment succeeds). The clock starts at the epoch's end; the figures are the wall
times until every validator shows the epoch anchored, then settled.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from node.bench.settle import create_accounts
from servicelayer.config import DEFAULT_PASSPHRASE
from testnet.epoch_inputs import EpochInputs
from testnet.federation import LocalFederation
from testnet.processes import wait_for

EPOCH = 60
LEAD_SECONDS = 25  # the validators start and seed within this much of the epoch's end
ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": "0",
    "ACENODE_WATCHER__INTERVAL_SECONDS": "0.5",
}


def run(payees: int = 200, close_interval: float = 0.5, repeat: int = 3) -> dict[str, Any]:
    """One validator and three, alternately, ``repeat`` times each; the medians' ratios."""
    samples: dict[str, list[dict[str, float]]] = {"one": [], "three": []}
    with tempfile.TemporaryDirectory(prefix="acenode-bench-federation-") as tmp:
        for n in range(repeat):
            samples["one"].append(measure(Path(tmp) / f"one-{n}", 1, 1, payees, close_interval))
            samples["three"].append(measure(Path(tmp) / f"three-{n}", 3, 2, payees, close_interval))
    one, three = (
        {k: _median(runs, k) for k in ("anchored_s", "settled_s")} for runs in samples.values()
    )
    return {
        "payees": payees,
        "close_interval_s": close_interval,
        "epoch_seconds": EPOCH,
        "repeat": repeat,
        "one_validator": one,
        "three_validators": three,
        "samples": samples,
        "federation_overhead": round(three["anchored_s"] / one["anchored_s"], 2),
        "federation_overhead_settled": round(three["settled_s"] / one["settled_s"], 2),
    }


def _median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def measure(
    root: Path, validators: int, threshold: int, payees: int, close_interval: float
) -> dict[str, float]:
    net = LocalFederation(
        root,
        validators=validators,
        threshold=threshold,
        channels=4,
        epoch_seconds=EPOCH,
        round_seconds=EPOCH / 2,
        close_interval=close_interval,
        env=ENV,
    ).prepare()
    try:
        if EPOCH - time.time() % EPOCH < LEAD_SECONDS:
            time.sleep(EPOCH - time.time() % EPOCH + 1)  # the next epoch, from its start
        inputs = EpochInputs.make(payees, int(time.time()), DEFAULT_PASSPHRASE, EPOCH)
        create_accounts(net.ledger_url, [p.account for p in inputs.providers])
        for member in net.members:
            inputs.seed(member.directory)
        starts = [threading.Thread(target=node.start) for node in net.nodes]
        for thread in starts:
            thread.start()
        for thread in starts:
            thread.join()
        end = (inputs.epoch + 1) * EPOCH
        if time.time() > end:
            raise RuntimeError("the validators started after the epoch ended; run it again")
        urls = [m.url for m in net.members]
        anchored = _until(urls, inputs.epoch, ("anchored", "settled")) - end
        settled = _until(urls, inputs.epoch, ("settled",)) - end
        return {"anchored_s": round(anchored, 2), "settled_s": round(settled, 2)}
    finally:
        net.close()


def _until(urls: list[str], epoch: int, statuses: tuple[str, ...]) -> float:
    def reached() -> bool:
        for url in urls:
            answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
            if answer.status_code != 200 or answer.json().get("status") not in statuses:
                return False
        return True

    wait_for(reached, timeout=4 * EPOCH, what=f"epoch {epoch} {statuses[0]} everywhere")
    return time.time()
