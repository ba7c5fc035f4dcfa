"""A deliberately dishonest BitTorrent peer for tests: it claims every piece, then either
withholds them (never unchokes) or serves garbage. Plain BitTorrent wire protocol (BEP 3),
no extensions and no encryption (an encrypted handshake is dropped, and libtorrent retries
in plaintext).

    with FakePeer(fixture.infohash, fixture.num_pieces, mode="garbage") as liar:
        ... probe liar.endpoint ...
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
from types import TracebackType
from typing import Literal

from servicelayer.probes.endpoint import Endpoint

PROTOCOL = b"\x13BitTorrent protocol"
Mode = Literal["withhold", "garbage"]
_CHOKE, _UNCHOKE, _INTERESTED, _BITFIELD, _REQUEST, _PIECE = 0, 1, 2, 5, 6, 7


class FakePeer:
    """Listens on 127.0.0.1; each connection gets a thread; ``close()`` stops everything."""

    def __init__(self, infohash: str, num_pieces: int, *, mode: Mode) -> None:
        self.infohash = bytes.fromhex(infohash)
        self.num_pieces = num_pieces
        self.mode = mode
        self.peer_id = b"-FK0001-" + hashlib.sha256(infohash.encode()).digest()[:12]
        self.blocks_served = 0
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._port: int = self._server.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._accept_loop, daemon=True)
        self._accept.start()

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self._port)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.5)
        with conn:
            try:
                if not self._handshake(conn):
                    return
                self._send(conn, _BITFIELD, self._bitfield())
                self._message_loop(conn)
            except (OSError, ConnectionError):
                return

    def _handshake(self, conn: socket.socket) -> bool:
        head = self._read(conn, 68)
        if head is None or head[:20] != PROTOCOL or head[28:48] != self.infohash:
            return False
        conn.sendall(PROTOCOL + bytes(8) + self.infohash + self.peer_id)
        return True

    def _bitfield(self) -> bytes:
        out = bytearray((self.num_pieces + 7) // 8)
        for index in range(self.num_pieces):
            out[index // 8] |= 0x80 >> (index % 8)
        return bytes(out)

    def _message_loop(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            header = self._read(conn, 4)
            if header is None:
                return
            (length,) = struct.unpack(">I", header)
            if length == 0:
                continue  # keep-alive
            payload = self._read(conn, length)
            if payload is None:
                return
            kind, body = payload[0], payload[1:]
            if kind == _INTERESTED and self.mode == "garbage":
                self._send(conn, _UNCHOKE, b"")
            elif kind == _REQUEST and self.mode == "garbage":
                index, begin, size = struct.unpack(">III", body)
                junk = hashlib.sha256(body).digest() * (size // 32 + 1)
                self._send(conn, _PIECE, struct.pack(">II", index, begin) + junk[:size])
                self.blocks_served += 1

    def _read(self, conn: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            if self._stop.is_set():
                return None
            try:
                chunk = conn.recv(size - len(data))
            except TimeoutError:
                continue
            if not chunk:
                return None
            data += chunk
        return data

    @staticmethod
    def _send(conn: socket.socket, kind: int, body: bytes) -> None:
        conn.sendall(struct.pack(">IB", len(body) + 1, kind) + body)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._accept.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakePeer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
