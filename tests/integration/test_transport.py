"""What a client sees at the HTTP level of a real node (uvicorn on loopback): every error
in our JSON body, the 413 of an oversized body read by ordinary clients, one log line per
failure, slow clients cut off, and the connection caps (issue 9, items 4 to 6)."""

from __future__ import annotations

import http.client
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import requests

from tests.support import NodeProcess, wait_for

pytestmark = pytest.mark.integration

HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
MAX_CONNECTIONS = 40
PER_CLIENT = 10
MAX_BODY = 2 * 1024 * 1024  # the default max_body_bytes
SLOW_HEAD = b"GET /v1/health HTTP/1.1\r\nHost: node\r\nUser-Ag"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    root = tmp_path_factory.mktemp("transport")
    proc = NodeProcess(
        root / "node",
        f"sqlite:///{root / 'node.sqlite3'}",
        ACENODE_LOG_LEVEL="info",
        ACENODE_WATCHER__ENABLED="false",
        ACENODE_HTTP__HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        ACENODE_HTTP__BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
        ACENODE_HTTP__MAX_CONNECTIONS=str(MAX_CONNECTIONS),
        ACENODE_HTTP__MAX_CONNECTIONS_PER_CLIENT=str(PER_CLIENT),
    )
    proc.start()
    yield proc
    assert proc.stop() == 0, proc.output()


class LogTail:
    """The node's log from now on."""

    def __init__(self, node: NodeProcess) -> None:
        self.node, self.start = node, len(node.output())

    def text(self) -> str:
        return self.node.output()[self.start :]

    def lines(self, needle: str) -> list[str]:
        return [line for line in self.text().splitlines() if needle in line]


def connect(node: NodeProcess, source: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A raw connection to the node from ``source`` (any 127.x address is this machine's)."""
    address = ("127.0.0.1", port or node.port)
    sock = socket.create_connection(address, timeout=10, source_address=(source, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def answer_of(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """Read one answer (the node closes after these) and parse it."""
    raw = b""
    while chunk := sock.recv(65536):
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
    return int(status_line.split()[1]), headers, orjson.loads(body)


def is_closed(sock: socket.socket) -> bool:
    """True once the node closed ``sock`` (without waiting for it: polls)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.setblocking(True)


def dribble(sock: socket.socket, byte: bytes, deadline: float) -> None:
    """Send ``byte`` ten times a second, like a slowloris, until the node closes ``sock``;
    fails at ``deadline``."""
    while not is_closed(sock):
        assert time.monotonic() < deadline, "the node kept the slow connection open"
        try:
            sock.send(byte)
        except OSError:
            return
        time.sleep(0.1)  # the attacker's pace, not a wait for a result


# item 5: the 413 that clients see


def _post_with_requests(url: str, body: bytes, close: bool) -> tuple[int, Any]:
    headers = {"content-type": "application/json"} | ({"connection": "close"} if close else {})
    response = requests.post(url, data=body, headers=headers, timeout=60)
    return response.status_code, response.json()


def _post_with_urllib(url: str, body: bytes, close: bool) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, orjson.loads(refused.read())


@pytest.mark.parametrize(
    ("post", "close"),
    [
        pytest.param(_post_with_urllib, True, id="urllib"),
        pytest.param(_post_with_requests, False, id="requests"),
        pytest.param(_post_with_requests, True, id="requests-connection-close"),
    ],
)
def test_an_oversized_batch_gets_the_json_413(node: NodeProcess, post: Any, close: bool) -> None:
    body = b'{"receipts": [' + b" " * (10 * MAX_BODY) + b"]}"
    status, answer = post(f"{node.url}/v1/receipts", body, close)
    assert status == 413
    assert answer["error"] == "body_too_large" and str(MAX_BODY) in answer["detail"]
    assert requests.get(f"{node.url}/v1/health", timeout=10).status_code == 200


def test_a_client_waiting_for_100_continue_is_refused_before_it_sends(node: NodeProcess) -> None:
    with connect(node) as sock:
        sock.sendall(
            b"POST /v1/receipts HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {10 * MAX_BODY}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        status, headers, answer = answer_of(sock)  # the node closes: no body was sent
    assert (status, answer["error"], headers["connection"]) == (413, "body_too_large", "close")


# item 4: every error in the JSON body, one log line per failure


def test_the_frameworks_404_and_405_have_our_body_and_405_names_allow(node: NodeProcess) -> None:
    missing = requests.get(f"{node.url}/v1/no-such-thing", timeout=10)
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")

    wrong = requests.delete(f"{node.url}/v1/catalog", timeout=10)
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert {m.strip() for m in wrong.headers["allow"].split(",")} == {"GET", "POST"}
    assert set(wrong.json()) == {"error", "detail"}


def _damage_an_epoch(node: NodeProcess) -> int:
    """A row the node cannot render, as a damaged or hand-edited database holds it."""
    assert node.database_url is not None
    with sqlite3.connect(node.database_url.removeprefix("sqlite:///")) as db:
        db.execute(
            "INSERT INTO epochs (number, status, receipts, payouts, updated_at) "
            "VALUES (7, 'bogus', 'many', 0, 'yesterday')"
        )
    return 7


def test_an_unexpected_failure_is_a_json_500_and_one_log_line(node: NodeProcess) -> None:
    log = LogTail(node)
    epoch = _damage_an_epoch(node)
    answers = [requests.get(f"{node.url}/v1/epochs/{epoch}", timeout=10) for _ in range(3)]

    assert [a.status_code for a in answers] == [500] * 3
    assert all(a.json()["error"] == "internal_error" for a in answers)
    reports = wait_for(lambda: len(log.lines("internal_error")) == 3 and log.text(), what="logs")
    assert len(log.lines(f"on GET /v1/epochs/{epoch}")) == 3
    assert reports.count("Traceback") == 1  # the first time at this place, then one line
    assert "Exception in ASGI application" not in reports


@pytest.mark.parametrize(
    "path",
    [
        "/v1/epochs/9223372036854775808",  # overflowed SQLite's INTEGER (issue 9, item 4)
        "/v1/epochs/9223372036854775808/payouts",
        "/v1/epochs?before=9223372036854775808",
    ],
)
def test_integers_past_64_bits_get_a_json_answer_and_no_traceback(
    node: NodeProcess, path: str
) -> None:
    log = LogTail(node)
    for _ in range(2):
        answer = requests.get(f"{node.url}{path}", timeout=10)
        assert answer.status_code in {400, 404, 422, 500}, answer.text
        assert set(answer.json()) == {"error", "detail"}
    assert log.text().count("Traceback") <= 1  # at most the first report of a new failure


@pytest.mark.parametrize("path", ["/v1/receipts", "/v1/registrations"])
def test_an_aborted_upload_is_one_log_line(node: NodeProcess, path: str) -> None:
    log = LogTail(node)
    with connect(node) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n".encode()
            + b"Content-Length: 100000\r\n\r\n"
            + b'{"receipts": ['
            + b" " * 5000
        )
    wait_for(lambda: log.lines(f"upload aborted: POST {path}"), what="the log line")
    assert len(log.lines("upload aborted")) == 1
    assert "Traceback" not in log.text() and "Exception" not in log.text()


# item 6: slow clients cut off, connection caps


@pytest.mark.parametrize("server", ["api", "horizon"])
def test_a_client_slow_to_send_its_request_head_is_cut_off(node: NodeProcess, server: str) -> None:
    """The API and the embedded ledger's Horizon front (same settings) alike."""
    log = LogTail(node)
    port = node.port if server == "api" else node.ledger_port
    idle, dribbling = connect(node, port=port), connect(node, port=port)
    dribbling.sendall(SLOW_HEAD)
    started = time.monotonic()
    with idle, dribbling:
        wait_for(lambda: is_closed(idle), timeout=HEADER_TIMEOUT + 5, what="the idle cut")
        dribble(dribbling, b"x", started + HEADER_TIMEOUT + 5)
    assert time.monotonic() - started >= HEADER_TIMEOUT - 0.5
    assert len(log.lines("request head not complete within http.header_timeout_seconds")) == 2


def test_an_idle_kept_alive_connection_is_the_keep_alive_timeouts(node: NodeProcess) -> None:
    """The head deadline starts with the next request's first byte: the embedded Horizon
    keeps idle connections 75 s (its pollers reuse them), past the 2 s head deadline."""
    with connect(node, port=node.ledger_port) as sock:
        for _ in range(2):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: ledger\r\n\r\n")
            answer = http.client.HTTPResponse(sock)  # reads exactly one whole answer
            answer.begin()
            answer.read()
            assert answer.status == 200 and not answer.will_close
            time.sleep(HEADER_TIMEOUT + 1)  # the poller's idle time, not a wait for a result
            assert not is_closed(sock)


def test_a_client_slow_to_send_its_body_is_cut_off(node: NodeProcess) -> None:
    log = LogTail(node)
    started = time.monotonic()
    with connect(node) as sock:
        sock.sendall(
            b"POST /v1/receipts HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        dribble(sock, b" ", started + BODY_TIMEOUT + 5)
    wait_for(lambda: log.lines("request body slower than"), what="the log line")
    assert log.lines("(POST /v1/receipts): request body slower than")
    assert "upload aborted" not in log.text() and "Traceback" not in log.text()


def test_a_body_sent_above_the_minimum_rate_is_served_however_long_it_takes(
    node: NodeProcess,
) -> None:
    body = b'{"receipts": [{}]' + b" " * (100_000 - 19) + b"}"
    started = time.monotonic()
    with connect(node) as sock:
        sock.sendall(
            b"POST /v1/receipts HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        for at in range(0, len(body), 4000):  # 40 kB/s: a slow uplink, above the minimum
            sock.sendall(body[at : at + 4000])
            time.sleep(0.1)  # the uploader's pace, not a wait for a result
        status, _, answer = answer_of(sock)
    assert time.monotonic() - started > BODY_TIMEOUT  # longer than any single wait allowed
    assert status == 200 and answer["results"][0]["status"] == "rejected"


def test_honest_clients_are_served_while_slow_clients_hold_connections(node: NodeProcess) -> None:
    slow = [connect(node, f"127.0.2.{n // 5 + 1}") for n in range(30)]
    try:
        for sock in slow:
            sock.sendall(SLOW_HEAD)
        started = time.monotonic()
        with requests.Session() as honest:
            for _ in range(5):
                assert honest.get(f"{node.url}/v1/health", timeout=10).status_code == 200
            answer = honest.post(f"{node.url}/v1/receipts", json={"receipts": [{}]}, timeout=10)
        assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "rejected"
        assert time.monotonic() - started < HEADER_TIMEOUT  # served while the slow ones wait
        assert not any(is_closed(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def _refused(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\n\r\n")
    return answer_of(sock)


def test_past_the_per_address_cap_connections_get_503(node: NodeProcess) -> None:
    held = [connect(node, "127.0.3.1") for _ in range(PER_CLIENT)]
    try:
        with connect(node, "127.0.3.1") as one_more:
            status, headers, answer = _refused(one_more)
        assert (status, answer["error"]) == (503, "too_many_connections")
        assert headers["retry-after"] == "1" and headers["connection"] == "close"
        other = requests.get(f"{node.url}/v1/health", timeout=10)  # from 127.0.0.1
        assert other.status_code == 200
    finally:
        for sock in held:
            sock.close()
    wait_for(lambda: _served_from(node, "127.0.3.1"), what="the address's connections freed")


def test_past_the_connection_cap_connections_get_503(node: NodeProcess) -> None:
    held = [connect(node, f"127.0.4.{n // 4 + 1}") for n in range(MAX_CONNECTIONS)]
    try:
        with connect(node, "127.0.4.200") as one_more:
            status, _, answer = _refused(one_more)
        assert (status, answer["error"]) == (503, "too_many_connections")
    finally:
        for sock in held:
            sock.close()
    wait_for(lambda: _served_from(node, "127.0.4.201"), what="the connections freed")


def _served_from(node: NodeProcess, source: str) -> bool:
    with connect(node, source) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n")
        status, _, _ = answer_of(sock)
    return status == 200
