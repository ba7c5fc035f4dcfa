"""A swarm endpoint: an IP address and a TCP port, written ``ip:port`` or ``[ipv6]:port``."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from servicelayer.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, order=True)
class Endpoint:
    """An IP literal and a port in 1..65535. ``str()`` gives the canonical text form."""

    address: str
    port: int

    def __post_init__(self) -> None:
        try:
            canonical = str(ipaddress.ip_address(self.address))
        except ValueError:
            raise InvalidInput(
                f"not an IP address: {self.address!r}", code="bad_endpoint"
            ) from None
        if canonical != self.address:
            object.__setattr__(self, "address", canonical)
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise InvalidInput("port must be an integer", code="bad_endpoint")
        if not 1 <= self.port <= 65535:
            raise InvalidInput(f"port out of range: {self.port}", code="bad_endpoint")

    @property
    def ip(self) -> IPAddress:
        return ipaddress.ip_address(self.address)

    @property
    def family(self) -> int:
        """4 or 6."""
        return self.ip.version

    def __str__(self) -> str:
        if self.family == 6:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        """Parse ``ip:port`` or ``[ipv6]:port`` (IP literals only)."""
        host, port = split_host_port(text)
        return cls(host, port)

    def as_tuple(self) -> tuple[str, int]:
        return (self.address, self.port)


def split_host_port(text: str, *, allow_zero_port: bool = False) -> tuple[str, int]:
    """Split ``HOST:PORT`` / ``[V6]:PORT`` into host text and a valid port number
    (port 0, "any free port", only with ``allow_zero_port``)."""
    if not isinstance(text, str) or not text or len(text) > 300:
        raise InvalidInput("expected HOST:PORT", code="bad_endpoint")
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or text[close + 1 : close + 2] != ":":
            raise InvalidInput(f"expected [IPV6]:PORT, got {text!r}", code="bad_endpoint")
        host, port_text = text[1:close], text[close + 2 :]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or ":" in host:
            raise InvalidInput(f"expected HOST:PORT, got {text!r}", code="bad_endpoint")
    if not host:
        raise InvalidInput(f"missing host in {text!r}", code="bad_endpoint")
    if not port_text.isascii() or not port_text.isdigit() or len(port_text) > 5:
        raise InvalidInput(f"bad port in {text!r}", code="bad_endpoint")
    port = int(port_text)
    if not (0 if allow_zero_port else 1) <= port <= 65535:
        raise InvalidInput(f"port out of range in {text!r}", code="bad_endpoint")
    return host, port


def listen_interface(text: str) -> str:
    """Validate ``IP:PORT`` (port 0 allowed) and give libtorrent's listen_interfaces form."""
    host, port = split_host_port(text, allow_zero_port=True)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise InvalidInput(f"listen address must be an IP: {host!r}", code="bad_endpoint") from None
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


def resolve_endpoint(text: str) -> Endpoint:
    """Parse ``HOST:PORT`` where HOST may be a name; a name is resolved (first address)."""
    host, port = split_host_port(text)
    try:
        return Endpoint(host, port)
    except InvalidInput:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise InvalidInput(f"cannot resolve host {host!r}", code="bad_endpoint") from None
    for _family, _type, _proto, _name, sockaddr in infos:
        return Endpoint(str(sockaddr[0]), port)
    raise InvalidInput(f"cannot resolve host {host!r}", code="bad_endpoint")
