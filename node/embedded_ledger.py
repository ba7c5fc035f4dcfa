"""The embedded default: the standalone ledger running inside the node, Horizon on loopback."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from node.http_guard import guarded_protocol
from servicelayer.config import NodeSettings
from servicelayer.errors import ConfigError
from servicelayer.stellar_settings import LOOPBACK_HOSTS
from testnet.ledger import StandaloneLedger
from testnet.ledger.front.server import HorizonServer

log = logging.getLogger("acenode.ledger")


@dataclass
class EmbeddedLedger:
    ledger: StandaloneLedger
    server: HorizonServer

    def stop(self) -> None:
        self.server.stop()
        self.ledger.close()


def start_embedded_ledger(settings: NodeSettings) -> EmbeddedLedger:
    """Open the ledger in ``<data_dir>/ledger`` and serve Horizon at ``[stellar] horizon_url``."""
    url = urlsplit(settings.stellar.horizon_url)
    if url.hostname not in LOOPBACK_HOSTS or url.port is None:
        raise ConfigError(
            "the embedded ledger serves on this machine only: set [stellar] horizon_url to "
            "http://127.0.0.1:PORT, or embedded_ledger = false to use another Horizon"
        )
    ledger = StandaloneLedger.open(
        data_dir=settings.data_dir / "ledger",
        network_passphrase=settings.network_passphrase,
        close_interval=settings.stellar.ledger_close_seconds,
        max_tx_set_ops=settings.stellar.ledger_max_ops,
    )
    try:
        # it serves this machine only: every client has the same address, no per-address cap
        limits = settings.http.model_copy(update={"max_connections_per_client": 0})
        server = HorizonServer(ledger, url.hostname, url.port, http=guarded_protocol(limits))
        server.start()
    except BaseException:
        ledger.close()
        raise
    log.info("embedded ledger: Horizon on %s", settings.stellar.horizon_url)
    return EmbeddedLedger(ledger, server)
