"""The connection caps' accounting (node/http_guard.py), without a server."""

from __future__ import annotations

from node.http_guard import ConnectionBook
from servicelayer.http_settings import HttpSettings


def test_past_the_per_address_cap_one_address_is_refused_and_others_are_not() -> None:
    book = ConnectionBook(HttpSettings(max_connections=10, max_connections_per_client=2))
    assert [book.admit("198.51.100.7") for _ in range(2)] == [None, None]
    refusal = book.admit("198.51.100.7")
    assert refusal is not None and "your address" in refusal
    assert book.admit("203.0.113.9") is None
    book.release("198.51.100.7")  # the refused one closes
    book.release("198.51.100.7")  # and one of the served
    assert book.admit("198.51.100.7") is None


def test_past_the_total_cap_everyone_is_refused_until_one_closes() -> None:
    book = ConnectionBook(HttpSettings(max_connections=3, max_connections_per_client=0))
    assert [book.admit(f"192.0.2.{n}") for n in range(3)] == [None] * 3
    refusal = book.admit("192.0.2.99")
    assert refusal is not None and "3 connections open" in refusal
    book.release("192.0.2.99")
    book.release("192.0.2.0")
    assert book.admit("192.0.2.100") is None
    assert book.total == 3 and "192.0.2.0" not in book.by_address  # no stale entries
