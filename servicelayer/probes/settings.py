"""libtorrent session settings packs for the probe session (production and loopback tests).

Both packs make the probe look like an ordinary BitTorrent client (libtorrent's own peer
fingerprint and user agent) and keep the connections a probe needs: ``close_redundant_connections``
is off, so the probe keeps talking to seeds after its small sample of pieces is complete.

Rate limits: libtorrent puts peers on local networks (127.0.0.0/8, 10/8, 192.168/16 ...) in a
"local" peer class that ignores the global rate limits. ``limit_local_peers`` makes the session
wrapper map every address to the global class instead, so an upload limit set on a loopback
seeder really holds (``ignore_limits_on_local_network`` alone is a deprecated setting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libtorrent as lt

from servicelayer.errors import ConfigError

SettingValue = int | str | bool

_ALERTS = (
    lt.alert_category.error
    | lt.alert_category.peer
    | lt.alert_category.status
    | lt.alert_category.connect
    | lt.alert_category.storage
    | lt.alert_category.ip_block
)


@dataclass(frozen=True)
class SessionConfig:
    """A settings pack for ``lt.session`` and whether rate limits also bind local peers."""

    pack: Mapping[str, SettingValue] = field(default_factory=dict)
    limit_local_peers: bool = False

    def as_dict(self) -> dict[str, SettingValue]:
        return dict(self.pack)


def _common(
    listen_interfaces: str, upload_rate_limit: int, download_rate_limit: int
) -> dict[str, SettingValue]:
    for name, value in (("upload", upload_rate_limit), ("download", download_rate_limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{name} rate limit must be an integer >= 0", code="bad_rate_limit")
    return {
        "listen_interfaces": listen_interfaces,
        "alert_mask": int(_ALERTS),
        "upload_rate_limit": upload_rate_limit,
        "download_rate_limit": download_rate_limit,
        "ignore_limits_on_local_network": False,
        "close_redundant_connections": False,
        "support_share_mode": True,
        "listen_system_port_fallback": False,
        "max_retry_port_bind": 0,
        "connection_speed": 50,
        "handshake_timeout": 10,
        "stop_tracker_timeout": 1,
        "peer_connect_timeout": 7,
    }


def production_settings(
    listen_interfaces: str = "0.0.0.0:6881,[::]:6881",
    *,
    upload_rate_limit: int = 0,
    download_rate_limit: int = 0,
    dht: bool = True,
) -> SessionConfig:
    """A probe that joins real swarms: DHT on (to find peers) unless ``dht`` is off, no
    LSD/UPnP/NAT-PMP. The probe only needs outgoing connections: with ``listen_interfaces``
    empty it listens nowhere (no DHT then) and connects over TCP only.
    """
    pack = _common(listen_interfaces, upload_rate_limit, download_rate_limit)
    pack.update(
        {
            "enable_dht": dht,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            # Named endpoints are IP:port pairs; several accounts may share an IP (NAT), and
            # with one connection per IP libtorrent would fold them into one peer.
            "allow_multiple_connections_per_ip": True,
            # uTP runs over a listening UDP socket: a session that listens nowhere (the
            # node's probes by default) connects over TCP only, or not at all
            "enable_outgoing_utp": bool(listen_interfaces),
        }
    )
    return SessionConfig(pack=pack, limit_local_peers=False)


def loopback_settings(
    port: int = 0,
    *,
    upload_rate_limit: int = 0,
    download_rate_limit: int = 0,
) -> SessionConfig:
    """For tests and the local testnet: 127.0.0.1 only, no DHT/LSD/UPnP/NAT-PMP.

    Every peer on loopback shares 127.0.0.1, so several connections per IP are allowed, rate
    limits bind local peers, and outgoing connections are TCP only.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"bad listen port {port!r}", code="bad_listen_port")
    pack = _common(f"127.0.0.1:{port}", upload_rate_limit, download_rate_limit)
    pack.update(
        {
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "allow_multiple_connections_per_ip": True,
            "dht_bootstrap_nodes": "",
            # TCP only on loopback: a refused connection is then reported at once, where an
            # unanswered uTP SYN would only time out.
            "enable_outgoing_utp": False,
        }
    )
    return SessionConfig(pack=pack, limit_local_peers=True)
