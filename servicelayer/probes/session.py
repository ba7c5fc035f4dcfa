"""A wrapper that owns one ``lt.session``: start, listen, add torrents, pump alerts, close.

libtorrent reports failures as ``RuntimeError`` (bad torrent data, bad parameters) or as
alerts (listen failures); both become ``servicelayer.errors`` types here.
"""

from __future__ import annotations

import time
from types import TracebackType

import libtorrent as lt

from servicelayer.errors import ConfigError, InvalidInput
from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.settings import SessionConfig

_ALL_V4 = ("0.0.0.0", "255.255.255.255")
_ALL_V6 = ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
_LISTEN_WAIT_MS = 5000


class TorrentSession:
    """One running libtorrent session. Use as a context manager, or call ``close()``."""

    def __init__(self, config: SessionConfig) -> None:
        try:
            # The bindings take a plain dict as a settings pack; the stubs do not say so.
            self._session = lt.session(config.as_dict())  # type: ignore[call-overload]
        except (RuntimeError, KeyError, TypeError) as exc:
            detail = f"libtorrent rejected the settings: {exc}"
            raise ConfigError(detail, code="bad_settings") from exc
        if config.limit_local_peers:
            self._limit_local_peers()
        self._closed = False
        self._listen: list[Endpoint] = []
        self._await_listening()

    def _limit_local_peers(self) -> None:
        flags = 1 << self._session.global_peer_class_id
        classes = lt.ip_filter()
        classes.add_rule(_ALL_V4[0], _ALL_V4[1], flags)
        classes.add_rule(_ALL_V6[0], _ALL_V6[1], flags)
        self._session.set_peer_class_filter(classes)

    def _await_listening(self) -> None:
        deadline = time.monotonic() + _LISTEN_WAIT_MS / 1000
        while time.monotonic() < deadline:
            for alert in self.wait_alerts(100):
                if isinstance(alert, lt.listen_failed_alert):
                    self.close()
                    raise ConfigError(f"cannot listen: {describe(alert)}", code="listen_failed")
                if isinstance(alert, lt.listen_succeeded_alert) and _is_tcp(alert):
                    self._listen.append(Endpoint(str(alert.address), int(alert.port)))
            if self._listen:
                return
        self.close()
        raise ConfigError("libtorrent did not start listening", code="listen_failed")

    @property
    def raw(self) -> lt.session:
        """The libtorrent session, for callers that need a call this wrapper lacks."""
        session: lt.session = self._session
        return session

    @property
    def listen_port(self) -> int:
        return self._listen[0].port

    @property
    def listen_endpoints(self) -> tuple[Endpoint, ...]:
        """Where the session accepts TCP peers (an unspecified address means every one)."""
        return tuple(self._listen)

    def add_torrent(self, params: lt.add_torrent_params) -> lt.torrent_handle:
        try:
            handle: lt.torrent_handle = self._session.add_torrent(params)
        except RuntimeError as exc:
            detail = f"libtorrent rejected the torrent: {exc}"
            raise InvalidInput(detail, code="bad_torrent") from exc
        return handle

    def remove_torrent(self, handle: lt.torrent_handle) -> None:
        if handle.is_valid():
            self._session.remove_torrent(handle)

    def wait_alerts(self, timeout_ms: int) -> list[lt.alert]:
        """Wait at most ``timeout_ms`` for alerts and return all that are queued."""
        if self._closed:
            return []
        self._session.wait_for_alert(max(0, int(timeout_ms)))
        return list(self._session.pop_alerts())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._session.pause()
        for handle in self._session.get_torrents():
            self._session.remove_torrent(handle)
        del self._session

    def __enter__(self) -> TorrentSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_tcp(alert: lt.listen_succeeded_alert) -> bool:
    return bool(alert.socket_type == lt.socket_type_t.tcp)


def describe(alert: lt.alert) -> str:
    """An alert's message; libtorrent may hand back bytes that are not UTF-8."""
    try:
        return str(alert.message())
    except UnicodeDecodeError:
        try:
            return f"{alert.what()}: {alert.error.value()}"  # type: ignore[attr-defined]
        except AttributeError:
            return str(alert.what())
