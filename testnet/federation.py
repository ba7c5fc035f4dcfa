"""A local federation: the embedded ledger and N validators on loopback, M of N.

``prepare`` starts the ledger, gives each validator its own data directory and key,
bootstraps the DAO accounts once (an operator holding M of the keys, as
``acenode dao bootstrap`` would) and gives every validator the DAO account files: once
bootstrapped, every DAO account has master weight 0, so those files only name the
accounts. ``start`` then runs each validator as a plain ``acenode run`` that names the
others in ``[federation] members``. ``acenode testnet up`` and the federation's tests use
it.
"""

from __future__ import annotations

import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.issuance import AssetFlags, AssetKind
from node import settlement as wiring
from node.issuance import issuance
from servicelayer.config import load_settings
from servicelayer.issuance.service import AssetSpec
from servicelayer.keys import create_key_file
from testnet.ledger.process import LedgerProcess
from testnet.processes import NodeProcess


@dataclass
class ValidatorDir:
    directory: Path
    account: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class LocalFederation:
    root: Path
    validators: int = 3
    threshold: int = 2
    channels: int = 2
    epoch_seconds: int = 3600
    round_seconds: float = 60.0
    close_interval: float = 0.2
    env: dict[str, str] = field(default_factory=dict)  # every validator's environment
    database_urls: list[str] = field(default_factory=list)  # default: SQLite in each dir
    clock_offsets: dict[int, int] = field(default_factory=dict)  # validator -> seconds off
    governance: tuple[str, int, int] | None = None  # a governance token: code, issued, cap
    ledger: LedgerProcess | None = None
    members: list[ValidatorDir] = field(default_factory=list)
    nodes: list[NodeProcess] = field(default_factory=list)
    token: dict[str, Any] | None = None  # the governance token issued: code, issuer, ...

    def prepare(self) -> LocalFederation:
        self.root.mkdir(parents=True, exist_ok=True)
        self.ledger = LedgerProcess(self.root / "ledger", close_interval=self.close_interval)
        self.ledger.start()
        for i in range(self.validators):
            directory = self.root / f"validator-{i}"
            directory.mkdir()
            key = create_key_file(directory / "node.key")
            offset = {"ACENODE_CLOCK_OFFSET_SECONDS": str(self.clock_offsets.get(i, 0))}
            node = NodeProcess(directory, **self._env(), **offset)
            self.members.append(ValidatorDir(directory, key.public_key, node.port))
            self.nodes.append(node)
        self._bootstrap()
        genesis = self._issue_governance() if self.governance is not None else ""
        for member in self.members:
            (member.directory / "acenode.toml").write_text(self._config(member) + genesis)
        return self

    @property
    def ledger_url(self) -> str:
        assert self.ledger is not None
        return self.ledger.url

    def _env(self) -> dict[str, str]:
        return {
            "ACENODE_STELLAR__HORIZON_URL": self.ledger_url,
            "ACENODE_STELLAR__EMBEDDED_LEDGER": "false",
            **self.env,
        }

    def _stellar(self, signer_files: list[Path]) -> str:
        validators = ", ".join(f'"{m.account}"' for m in self.members)
        lines = [
            "[stellar]",
            f'horizon_url = "{self.ledger_url}"',
            "embedded_ledger = false",
            f"validators = [{validators}]",
            f"threshold = {self.threshold}",
            f"channels = {self.channels}",
        ]
        if signer_files:
            lines.append("signer_key_files = [" + ", ".join(f'"{p}"' for p in signer_files) + "]")
        return "\n".join(lines) + "\n"

    def _config(self, me: ValidatorDir) -> str:
        others = ", ".join(
            f'{{account = "{m.account}", url = "{m.url}"}}' for m in self.members if m is not me
        )
        index = self.members.index(me)
        database = f'database_url = "{self.database_urls[index]}"\n' if self.database_urls else ""
        return (
            database
            + f"epoch_seconds = {self.epoch_seconds}\n"
            + self._stellar([])
            + f"\n[federation]\nround_seconds = {self.round_seconds}\nmembers = [{others}]\n"
        )

    def _bootstrap(self) -> None:
        """The DAO accounts, made once by an operator holding M of the validator keys."""
        operator = self.root / "bootstrap"
        operator.mkdir()
        create_key_file(operator / "node.key")
        keys = [m.directory / "node.key" for m in self.members[: self.threshold]]
        (operator / "acenode.toml").write_text(self._stellar(keys))
        settings = load_settings(operator)
        horizon = wiring.horizon(settings)
        try:
            wiring.bootstrap(settings, horizon).run(self.channels)
            for member in self.members:  # each validator's own account pays its fee bumps
                horizon.fund(f"{self.ledger_url}/friendbot", member.account)
        finally:
            horizon.close()
        for member in self.members:
            shutil.copytree(operator / "dao", member.directory / "dao")

    def _issue_governance(self) -> str:
        """Issue the governance token (``issued`` of its cap, to the DAO's distribution
        account; the rest can be minted by vote), by the same operator; the
        ``[genesis.governance]`` table every validator starts from."""
        assert self.governance is not None
        code, stroops, cap = self.governance
        spec = AssetSpec(code, cap, AssetKind.GOVERNANCE, "", AssetFlags(), stroops)
        with issuance(load_settings(self.root / "bootstrap")) as service:
            issued = service.issue(spec).asset
        self.token = {
            "code": code,
            "issuer": issued.asset.issuer,
            "distribution": issued.distribution,
            "supply": stroops,
            "cap": cap,
        }
        return (
            "\n[genesis.governance]\n"
            f'code = "{code}"\nissuer = "{issued.asset.issuer}"\n'
            f'distribution = "{issued.distribution}"\ncap = {cap}\nissued = {stroops}\n'
        )

    def start(self, *which: int, timeout: float = 60) -> None:
        for i in which or range(len(self.nodes)):
            self.nodes[i].start(timeout=timeout)

    def stop(self, *which: int, sig: int = signal.SIGTERM) -> None:
        for i in which or range(len(self.nodes)):
            if self.nodes[i].running:
                self.nodes[i].stop(sig)

    def close(self) -> None:
        self.stop()
        if self.ledger is not None:
            self.ledger.stop()

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {} if self.token is None else {"governance": self.token}
        return described | {
            "ledger": self.ledger_url,
            "threshold": self.threshold,
            "validators": [
                {"account": m.account, "api": m.url, "data_dir": str(m.directory)}
                for m in self.members
            ],
        }
