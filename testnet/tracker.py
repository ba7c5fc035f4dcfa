"""A minimal HTTP BitTorrent tracker on loopback (BEP 3 announce, BEP 23 compact replies).

    with LoopbackTracker() as tracker:
        fixture = make_torrent_fixture(dir, trackers=[tracker.announce_url])

It remembers every peer that announced, per infohash, and hands each announcer the others.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import libtorrent as lt

INTERVAL_S = 5


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query, encoding="latin-1")
        try:
            infohash = query["info_hash"][0].encode("latin-1")
            port = int(query["port"][0])
        except (KeyError, ValueError, IndexError):
            self._reply({b"failure reason": b"bad announce"})
            return
        if url.path != "/announce" or len(infohash) != 20 or not 0 < port < 65536:
            self._reply({b"failure reason": b"bad announce"})
            return
        peer = (self.client_address[0], port)
        stopped = query.get("event", [""])[0] == "stopped"
        self._reply(self.server.announce(infohash, peer, stopped))

    def _reply(self, body: dict[bytes, object]) -> None:
        data = lt.bencode(body)  # type: ignore[arg-type]
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away (a peer shutting down)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.swarms: dict[bytes, set[tuple[str, int]]] = {}
        self.lock = threading.Lock()

    def announce(
        self, infohash: bytes, peer: tuple[str, int], stopped: bool
    ) -> dict[bytes, object]:
        with self.lock:
            peers = self.swarms.setdefault(infohash, set())
            others = sorted(peers - {peer})
            if stopped:
                peers.discard(peer)
            else:
                peers.add(peer)
        compact = b"".join(
            ipaddress.IPv4Address(ip).packed + port.to_bytes(2, "big") for ip, port in others
        )
        return {b"interval": INTERVAL_S, b"complete": 0, b"incomplete": 0, b"peers": compact}


class LoopbackTracker:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def announce_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/announce"

    def peers(self, infohash: str) -> set[tuple[str, int]]:
        with self._server.lock:
            return set(self._server.swarms.get(bytes.fromhex(infohash), set()))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackTracker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
