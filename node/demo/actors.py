"""The demo's people: each has a Stellar key, pays on the ledger and uses the REST API
the way a DApp would (SEP-10 sign-in, Idempotency-Key on every write)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from stellar_sdk import Asset, Keypair

from node.cli.acedao.client import NodeClient
from node.cli.acedao.ledger import pay, send
from servicelayer.keys import create_key_file
from servicelayer.ledger.horizon import Horizon
from servicelayer.settlement.plan import parse_amount


@dataclass
class Network:
    node_url: str
    horizon_url: str
    passphrase: str


@dataclass
class Actor:
    name: str
    keypair: Keypair = field(repr=False)
    key_file: Path
    network: Network
    _api: NodeClient | None = field(default=None, repr=False)

    @classmethod
    def create(cls, name: str, keys: Path, network: Network) -> Actor:
        path = keys / f"{name}.key"
        return cls(name, create_key_file(path), path, network)

    @property
    def account(self) -> str:
        return self.keypair.public_key

    @property
    def short(self) -> str:
        return f"{self.name} ({self.account[:5]}…)"

    # -- the ledger ----------------------------------------------------------------------
    def fund(self) -> None:
        answer = httpx.get(
            f"{self.network.horizon_url}/friendbot", params={"addr": self.account}, timeout=60
        )
        answer.raise_for_status()

    def pay(
        self,
        to: str,
        amount: str,
        *,
        text: str | None = None,
        memo_hash: bytes | None = None,
        asset: Asset | None = None,
    ) -> str:
        net = self.network
        stroops = parse_amount(amount)
        return pay(
            net.horizon_url,
            net.passphrase,
            self.keypair,
            to,
            asset or Asset.native(),
            stroops,
            text=text,
            memo_hash=memo_hash,
        )

    def trust(self, asset: Asset) -> None:
        with Horizon(self.network.horizon_url) as ledger:
            send(
                ledger,
                self.keypair,
                self.network.passphrase,
                lambda builder: builder.append_change_trust_op(asset),
                f"the {asset.code} trustline",
            )

    # -- the node's REST API -------------------------------------------------------------
    def api(self) -> NodeClient:
        if self._api is None:
            self._api = NodeClient(self.network.node_url)
            self._api.sign_in(self.keypair)
        return self._api

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.write("POST", path, body)

    def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return self.api().write(method, path, body, f"demo-{uuid.uuid4().hex}")

    def get(self, path: str, **params: Any) -> Any:
        return self.api().get(path, params)
