"""The demo's second act: three validators, none trusted alone, one killed mid-epoch.

1. Three validators (`acenode run`, each with its own key and database) and the embedded
   ledger start on loopback; the DAO's accounts need 2 of their 3 signatures.
2. A provider publishes a film and sells access to it with writes it signs itself, sent
   to one validator; every validator applies them when their epoch closes.
3. A viewer buys access on the ledger (a payment to the treasury naming the film).
4. The third validator is killed (SIGKILL) before that epoch ends; the other two close
   it with the same inputs, anchor its root and pay the provider, each transaction
   signed by both.
5. The third returns and reaches the same root from the ledger and the other two.
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from stellar_sdk import Asset, Keypair

from node import settlement as wiring
from node.cli.acedao.ledger import send
from node.demo.wait import poll
from servicelayer.config import load_settings
from servicelayer.federation.writes import sign_write
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.money import STROOPS_PER_UNIT, format_amount
from testnet.federation import LocalFederation

EPOCH = 60
PRICE = 5 * STROOPS_PER_UNIT
FILM = "f1" * 20  # a v1 infohash
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": "3",
    "ACENODE_FEDERATION__RELAY_SECONDS": "1",
    "ACENODE_STELLAR__LEDGER_CLOSE_SECONDS": "0.5",
}


def run_federation(console: Console, root: Path) -> dict[str, Any]:
    """Play the act; what it showed (the report's ``federation``)."""
    console.rule("[bold]Act 2: three validators, none trusted alone")
    net = LocalFederation(root, epoch_seconds=EPOCH, round_seconds=10, env=NODE_ENV).prepare()
    try:
        net.start()
        return Act(console, net).run()
    finally:
        net.close()


class Act:
    def __init__(self, console: Console, net: LocalFederation) -> None:
        self.console = console
        self.net = net
        self.urls = [m.url for m in net.members]
        self.passphrase = load_settings(net.members[0].directory).network_passphrase
        self.provider, self.viewer = Keypair.random(), Keypair.random()

    def run(self) -> dict[str, Any]:
        net, console = self.net, self.console
        table = Table("validator", "account", "API")
        for i, m in enumerate(net.members, 1):
            table.add_row(f"v{i}", m.account[:8] + "…", m.url)
        console.print(table)
        console.print(f"ledger on {net.ledger_url}; every DAO account needs 2 of these 3 keys")
        with Horizon(net.ledger_url) as ledger:
            for who in (self.provider, self.viewer):
                ledger.fund(f"{net.ledger_url}/friendbot", who.public_key)

        self.step("The provider signs its writes itself and sends them to v1 only")
        publish = {"infohash": FILM, "title": "A federated film", "tags": ["demo"]}
        offer = {"content": FILM, "price": PRICE, "duration": 86_400}
        writes = [("/v1/catalog", publish), ("/v1/access/offers", offer)]
        keys = [str(uuid.uuid4()) for _ in writes]
        for (path, body), key in zip(writes, keys, strict=True):
            sealed = self.write(self.urls[0], path, body, key)
            console.print(f"POST {path} → {sealed['status']} for epoch {sealed['epoch']}")
        offer_now = poll(
            lambda: self.found(self.urls[1], f"/v1/access/offers/{FILM}"),
            timeout=3 * EPOCH,
            what="v2 to apply the offer sent to v1",
        )
        item = poll(
            lambda: self.found(self.urls[1], f"/v1/catalog/{FILM}"), timeout=10, what="the film"
        )
        console.print(
            f"when the epoch closed, v2 applied both: {item['title']!r} by "
            f"{item['provider'][:8]}…, access for {format_amount(offer_now['price'])} XLM"
        )
        answer = self.write(self.urls[0], *writes[1], keys[1])
        console.print(f"the same request to v1 again → its stored answer: {answer}")

        self.step("A viewer buys access on the ledger; v3 is killed before the epoch ends")
        treasury = wiring.dao_keys(load_settings(net.members[0].directory)).public("treasury")
        memo = bytes.fromhex(FILM) + bytes(12)
        with Horizon(net.ledger_url) as ledger:
            tx = send(
                ledger,
                self.viewer,
                self.passphrase,
                lambda b: b.add_hash_memo(memo).append_payment_op(
                    treasury, Asset.native(), format_amount(PRICE)
                ),
                "the purchase",
            )
        epoch = int(time.time()) // EPOCH
        console.print(f"purchase {tx[:12]}… in epoch {epoch}")
        net.stop(2, sig=signal.SIGKILL)
        console.print("v3 killed (SIGKILL)")

        records = [self.settled(url, epoch) for url in self.urls[:2]]
        payouts = httpx.get(f"{self.urls[0]}/v1/epochs/{epoch}/payouts", timeout=10).json()
        paid = [p for p in payouts["payouts"] if p["account"] == self.provider.public_key]
        signatures = [self.signatures(p["tx_hash"]) for p in paid]
        for url, record in zip(("v1", "v2"), records, strict=True):
            console.print(
                f"{url}: epoch {epoch} settled, root {record['root'][:16]}…, anchor "
                f"{record['anchor_tx'][:12]}…"
            )
        for p, count in zip(paid, signatures, strict=True):
            console.print(
                f"paid the provider {format_amount(p['amount'])} XLM ({p['kind']}) in "
                f"{p['tx_hash'][:12]}…, signed by {count} validators"
            )

        self.step("v3 returns and reaches the same root")
        net.start(2)
        back = self.settled(self.urls[2], epoch)
        console.print(f"v3: epoch {epoch} root {back['root'][:16]}…")
        return {
            "epoch": epoch,
            "roots": [r["root"] for r in [*records, back]],
            "anchors": [r["anchor_tx"] for r in [*records, back]],
            "provider_paid": sum(p["amount"] for p in paid),
            "signatures": signatures,
            "provider": self.provider.public_key,
        }

    def write(self, url: str, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        content = json.dumps(body).encode()
        headers = sign_write(
            self.provider, self.passphrase, "POST", path, key, content, int(time.time())
        )
        answer = httpx.post(
            f"{url}{path}",
            content=content,
            headers=headers | {"Content-Type": "application/json"},
            timeout=10,
        )
        found: dict[str, Any] = answer.json()
        if answer.status_code >= 300 and answer.status_code != 202:
            raise RuntimeError(f"{path}: {answer.status_code} {found}")
        return found

    @staticmethod
    def found(url: str, path: str) -> Any:
        answer = httpx.get(f"{url}{path}", timeout=10)
        return answer.json() if answer.status_code == 200 else None

    def settled(self, url: str, epoch: int) -> dict[str, Any]:
        def fetch() -> dict[str, Any] | None:
            answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
            record: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            return record if record.get("status") == "settled" else None

        return poll(fetch, timeout=4 * EPOCH, what=f"{url} to settle epoch {epoch}")

    def signatures(self, tx_hash: str) -> int:
        answer = httpx.get(f"{self.net.ledger_url}/transactions/{tx_hash}", timeout=10)
        return len(answer.json()["signatures"])

    def step(self, title: str) -> None:
        self.console.rule(title, style="dim")
