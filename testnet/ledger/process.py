"""``acenode ledger serve`` in a subprocess: the standalone ledger with its Horizon front."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from testnet.processes import free_port, wait_for


class LedgerProcess:
    def __init__(
        self,
        data_dir: Path,
        close_interval: float = 0.1,
        max_ops: int = 1_000,
        lose_answers: int = 0,
        withhold_payments: int = 0,
    ) -> None:
        self.data_dir = data_dir
        self.close_interval = close_interval
        self.max_ops = max_ops
        self.lose_answers = lose_answers  # `acenode ledger serve --lose-answers`
        self.withhold_payments = withhold_payments  # `--withhold-payments`
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"ledger-{self.port}.log"

    def start(self, timeout: float = 30) -> LedgerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "node",
            "ledger",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
            "--close-interval",
            str(self.close_interval),
            "--max-ops",
            str(self.max_ops),
            "--lose-answers",
            str(self.lose_answers),
            "--withhold-payments",
            str(self.withhold_payments),
        ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        wait_for(self._ready, timeout=timeout, what=f"the ledger on port {self.port}")
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"ledger exited with {self.proc.returncode}:\n{self.output()}")
        try:
            return httpx.get(self.url + "/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def withheld(self) -> list[str]:
        """The envelopes withheld so far (``--withhold-payments``), as XDR."""
        folder = self.data_dir / "withheld"
        return [p.read_text() for p in sorted(folder.glob("*.xdr"))] if folder.exists() else []

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
