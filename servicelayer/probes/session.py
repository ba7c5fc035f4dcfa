"""A wrapper that owns one ``lt.session``: start, listen, add torrents, pump alerts, close.

libtorrent reports failures as ``RuntimeError`` (bad torrent data, bad parameters) or as
alerts (listen failures); both become ``servicelayer.errors`` types here.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from types import SimpleNamespace, TracebackType
from typing import Any

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
        if config.pack.get("listen_interfaces", "") != "":
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
        """The first TCP listen port (a session with no listen interfaces has none)."""
        if not self._listen:
            raise ConfigError("this session does not listen", code="not_listening")
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


class SharedSession:
    """One ``TorrentSession`` shared by probes running in several threads.

    libtorrent's session is thread-safe, but its alert queue is one: whoever pops it takes
    every torrent's alerts. So each probe reads through its own ``view()``; the view that
    finds its queue empty pumps the session (one at a time) and hands every alert to every
    open view. Probes already keep only the alerts of their own torrent handle.
    """

    def __init__(self, session: TorrentSession) -> None:
        self.session = session
        self._pump = threading.Lock()
        self._views_lock = threading.Lock()
        self._views: list[SessionView] = []

    def view(self) -> SessionView:
        view = SessionView(self)
        with self._views_lock:
            self._views.append(view)
        return view

    def _drop(self, view: SessionView) -> None:
        with self._views_lock:
            if view in self._views:
                self._views.remove(view)

    def _broadcast(self, alerts: list[lt.alert]) -> None:
        # libtorrent frees popped alerts at the next pop: views get lasting copies.
        copies = [copy_alert(a) for a in alerts]
        with self._views_lock:
            for view in self._views:
                view.queue.extend(copies)


_ERRORS = (lt.peer_error_alert, lt.peer_disconnected_alert, lt.peer_blocked_alert)


def copy_alert(alert: lt.alert) -> Any:
    """What probes read of an alert, in plain values that outlive the next ``pop_alerts``:
    ``kind`` (its class; ``alert_kind``), ``handle`` and ``ip`` when it has them, and
    ``error_text`` for peer errors."""
    data: dict[str, Any] = {"kind": type(alert)}
    for name in ("handle", "ip"):
        try:
            data[name] = getattr(alert, name)
        except (AttributeError, TypeError, RuntimeError):
            continue
    if isinstance(alert, _ERRORS):
        data["error_text"] = error_text(alert)
    return SimpleNamespace(**data)


def alert_kind(alert: Any) -> type:
    """The libtorrent class of an alert or of its ``copy_alert`` copy."""
    kind: type = getattr(alert, "kind", type(alert))
    return kind


def error_text(alert: Any) -> str:
    """``connect: Connection refused`` rather than libtorrent's full log line."""
    copied = getattr(alert, "error_text", None)
    if isinstance(copied, str):
        return copied
    try:
        message = alert.error.message()
        operation = lt.operation_name(alert.op)
        return f"{operation}: {message}" if message else describe(alert)
    except (AttributeError, UnicodeDecodeError, TypeError, ValueError):
        return describe(alert)


class SessionView:
    """A probe's handle on a ``SharedSession``: the calls ``run_probe`` makes."""

    def __init__(self, shared: SharedSession) -> None:
        self._shared = shared
        self.queue: deque[Any] = deque()

    def _drain(self) -> list[Any]:
        out = []
        while self.queue:
            out.append(self.queue.popleft())
        return out

    def wait_alerts(self, timeout_ms: int) -> list[lt.alert]:
        if not self.queue and self._shared._pump.acquire(timeout=max(0, timeout_ms) / 1000):
            try:
                if not self.queue:
                    self._shared._broadcast(self._shared.session.wait_alerts(timeout_ms))
            finally:
                self._shared._pump.release()
        return self._drain()

    def add_torrent(self, params: lt.add_torrent_params) -> lt.torrent_handle:
        return self._shared.session.add_torrent(params)

    def remove_torrent(self, handle: lt.torrent_handle) -> None:
        self._shared.session.remove_torrent(handle)

    def close(self) -> None:
        self._shared._drop(self)

    def __enter__(self) -> SessionView:
        return self

    def __exit__(self, *exc: object) -> None:
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
