"""Signed registrations: a peer binds its swarm endpoints to its Stellar account.

Spec: docs/registration.md. Body layout, version 1, integers unsigned big-endian:

    u8 version | account[32] | u64 seq | u64 valid_until | u8 n (1..8)
    | n x (u8 family 4|6 | address[4|16] | u16 port) | u8 prefix_len (0..20) | prefix

    message   = SHA-256(b"ACE-REGISTRATION-V1\\x00" || network_id || body)
    signature = Ed25519-Sign(account secret, message)

Decoding is strict (endpoints strictly ascending, no trailing bytes), so one registration
has one encoding and one id (the message). A newer ``seq`` replaces an older one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from stellar_sdk import Keypair, StrKey
from stellar_sdk.exceptions import Ed25519PublicKeyInvalidError

from servicelayer.errors import InvalidInput
from servicelayer.probes.endpoint import Endpoint

REGISTRATION_VERSION = 1
DOMAIN_TAG = b"ACE-REGISTRATION-V1\x00"
MAX_U63 = 2**63 - 1
MAX_ENDPOINTS = 8
MAX_PEER_ID_PREFIX = 20
SIGNATURE_BYTES = 64
_HEAD = struct.Struct(">B32sQQB")
_JSON_FIELDS = frozenset(
    {
        "version",
        "network_id",
        "account",
        "seq",
        "valid_until",
        "endpoints",
        "peer_id_prefix",
        "signature",
        "id",
    }
)


class RegistrationError(InvalidInput):
    """A registration is invalid; ``code`` is one of the stable codes in docs/registration.md."""


@dataclass(frozen=True)
class Registration:
    """The signed content: account (raw ed25519 key), seq, expiry and endpoints."""

    account: bytes
    seq: int
    valid_until: int
    endpoints: tuple[Endpoint, ...]
    peer_id_prefix: bytes = b""
    version: int = REGISTRATION_VERSION

    @property
    def account_id(self) -> str:
        return StrKey.encode_ed25519_public_key(self.account)

    def supersedes(self, other: Registration) -> bool:
        """True when this registration replaces ``other`` (same account, higher seq)."""
        return self.account == other.account and self.seq > other.seq


@dataclass(frozen=True)
class SignedRegistration:
    registration: Registration
    signature: bytes

    def body(self) -> bytes:
        return encode_body(self.registration)

    def to_bytes(self) -> bytes:
        """Binary form: body || signature."""
        return self.body() + self.signature


def _endpoint_key(endpoint: Endpoint) -> tuple[int, bytes, int]:
    return (endpoint.family, endpoint.ip.packed, endpoint.port)


def _check_endpoint(endpoint: Endpoint) -> None:
    ip = endpoint.ip
    if ip.is_unspecified or ip.is_multicast:
        raise RegistrationError(f"endpoint {endpoint} is not a peer address", code="bad_endpoint")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        raise RegistrationError(f"write {endpoint} as IPv4", code="bad_endpoint")


def _check_fields(reg: Registration) -> None:
    if reg.version != REGISTRATION_VERSION:
        raise RegistrationError(f"version {reg.version}", code="unsupported_version")
    if not isinstance(reg.account, bytes) or len(reg.account) != 32:
        raise RegistrationError("account must be a 32-byte ed25519 key", code="bad_account")
    if not 1 <= reg.seq <= MAX_U63:
        raise RegistrationError("seq must be in [1, 2^63-1]", code="out_of_bounds")
    if not 0 <= reg.valid_until <= MAX_U63:
        raise RegistrationError("valid_until must be in [0, 2^63-1]", code="out_of_bounds")
    if not 1 <= len(reg.endpoints) <= MAX_ENDPOINTS:
        raise RegistrationError("1 to 8 endpoints", code="bad_endpoint_count")
    for endpoint in reg.endpoints:
        _check_endpoint(endpoint)
    keys = [_endpoint_key(e) for e in reg.endpoints]
    if any(a >= b for a, b in itertools.pairwise(keys)):
        raise RegistrationError(
            "endpoints must be strictly ascending (family, address, port)",
            code="endpoints_not_canonical",
        )
    if len(reg.peer_id_prefix) > MAX_PEER_ID_PREFIX:
        raise RegistrationError("peer id prefix longer than 20 bytes", code="bad_peer_id_prefix")


def build_registration(
    account: str | bytes,
    seq: int,
    valid_until: int,
    endpoints: Iterable[Endpoint | str],
    peer_id_prefix: bytes = b"",
) -> Registration:
    """A checked registration with endpoints in canonical order (duplicates refused)."""
    key = _account_bytes(account) if isinstance(account, str) else account
    try:
        parsed = [e if isinstance(e, Endpoint) else Endpoint.parse(e) for e in endpoints]
    except InvalidInput as exc:
        raise RegistrationError(exc.detail, code="bad_endpoint") from None
    ordered = tuple(sorted(parsed, key=_endpoint_key))
    registration = Registration(key, seq, valid_until, ordered, bytes(peer_id_prefix))
    _check_fields(registration)
    return registration


def encode_body(reg: Registration) -> bytes:
    _check_fields(reg)
    out = bytearray(
        _HEAD.pack(reg.version, reg.account, reg.seq, reg.valid_until, len(reg.endpoints))
    )
    for endpoint in reg.endpoints:
        out.append(endpoint.family)
        out += endpoint.ip.packed
        out += endpoint.port.to_bytes(2, "big")
    out.append(len(reg.peer_id_prefix))
    out += reg.peer_id_prefix
    return bytes(out)


def decode_body(body: bytes) -> Registration:
    """Strictly decode a body; every deviation from the layout is an error."""
    if len(body) < 1:
        raise RegistrationError("empty body", code="malformed")
    if body[0] != REGISTRATION_VERSION:
        raise RegistrationError(f"version {body[0]}", code="unsupported_version")
    if len(body) < _HEAD.size:
        raise RegistrationError("body too short", code="malformed")
    version, account, seq, valid_until, count = _HEAD.unpack_from(body)
    if not 1 <= count <= MAX_ENDPOINTS:
        raise RegistrationError(f"{count} endpoints", code="bad_endpoint_count")
    offset = _HEAD.size
    endpoints = []
    for _ in range(count):
        endpoint, offset = _decode_endpoint(body, offset)
        endpoints.append(endpoint)
    if offset >= len(body):
        raise RegistrationError("body too short", code="malformed")
    prefix_len = body[offset]
    if prefix_len > MAX_PEER_ID_PREFIX:
        raise RegistrationError(f"prefix length {prefix_len}", code="bad_peer_id_prefix")
    prefix = body[offset + 1 : offset + 1 + prefix_len]
    if len(prefix) != prefix_len or offset + 1 + prefix_len != len(body):
        raise RegistrationError("bad prefix length or trailing bytes", code="malformed")
    registration = Registration(account, seq, valid_until, tuple(endpoints), prefix, version)
    _check_fields(registration)
    return registration


def _decode_endpoint(body: bytes, offset: int) -> tuple[Endpoint, int]:
    if offset >= len(body):
        raise RegistrationError("body too short", code="malformed")
    family = body[offset]
    if family not in (4, 6):
        raise RegistrationError(f"family {family}", code="bad_endpoint_family")
    size = 4 if family == 4 else 16
    end = offset + 1 + size + 2
    if end > len(body):
        raise RegistrationError("body too short", code="malformed")
    raw = body[offset + 1 : offset + 1 + size]
    port = int.from_bytes(body[end - 2 : end], "big")
    if port == 0:
        raise RegistrationError("port 0", code="bad_endpoint")
    address = ipaddress.IPv4Address(raw) if family == 4 else ipaddress.IPv6Address(raw)
    return Endpoint(str(address), port), end


def signing_message(network_id: bytes, body: bytes) -> bytes:
    """The 32 bytes that are signed; also the registration's id."""
    if len(network_id) != 32:
        raise RegistrationError("network id must be 32 bytes", code="malformed")
    return hashlib.sha256(DOMAIN_TAG + network_id + body).digest()


def sign_registration(reg: Registration, keypair: Keypair, network_id: bytes) -> SignedRegistration:
    """Sign with the account's own key; any other key is refused."""
    if keypair.raw_public_key() != reg.account:
        raise RegistrationError("the key is not the registration's account", code="bad_account")
    signature = keypair.sign(signing_message(network_id, encode_body(reg)))
    return SignedRegistration(reg, signature)


def verify_registration(
    signed: SignedRegistration, network_id: bytes, *, now: int | None = None
) -> Registration:
    """Check the signature (and, given ``now`` in unix seconds, the expiry)."""
    reg = signed.registration
    message = signing_message(network_id, encode_body(reg))
    if len(signed.signature) != SIGNATURE_BYTES:
        raise RegistrationError("signature must be 64 bytes", code="malformed")
    try:
        Keypair.from_raw_ed25519_public_key(reg.account).verify(message, signed.signature)
    except (BadSignatureError, ValueError, Ed25519PublicKeyInvalidError):
        raise RegistrationError("signature does not verify", code="bad_signature") from None
    if now is not None and reg.valid_until < now:
        raise RegistrationError("registration has expired", code="expired")
    return reg


def decode_signed(data: bytes) -> SignedRegistration:
    """Binary form (body || signature) back to a signed registration (not yet verified)."""
    if len(data) <= SIGNATURE_BYTES:
        raise RegistrationError("too short", code="malformed")
    body, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    return SignedRegistration(decode_body(body), signature)


def to_json(signed: SignedRegistration, network_id: bytes) -> dict[str, Any]:
    reg = signed.registration
    return {
        "version": reg.version,
        "network_id": network_id.hex(),
        "account": reg.account_id,
        "seq": reg.seq,
        "valid_until": reg.valid_until,
        "endpoints": [str(e) for e in reg.endpoints],
        "peer_id_prefix": reg.peer_id_prefix.hex(),
        "signature": signed.signature.hex(),
        "id": signing_message(network_id, encode_body(reg)).hex(),
    }


def from_json(obj: Any) -> tuple[SignedRegistration, bytes]:
    """Decode the JSON form: (signed registration, its network id). Not yet verified;
    ``id``, when present, must be the registration's message."""
    if not isinstance(obj, dict):
        raise RegistrationError("a registration must be a JSON object", code="malformed")
    extra = set(obj) - _JSON_FIELDS
    if extra:
        raise RegistrationError(f"unexpected fields {sorted(extra)}", code="unknown_field")
    version = _json_int(obj, "version")
    if version != REGISTRATION_VERSION:
        raise RegistrationError(f"version {version}", code="unsupported_version")
    endpoints = obj.get("endpoints")
    if not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints):
        raise RegistrationError("endpoints must be a list of strings", code="malformed")
    try:
        parsed = tuple(Endpoint.parse(e) for e in endpoints)
    except InvalidInput as exc:
        raise RegistrationError(exc.detail, code="bad_endpoint") from None
    reg = Registration(
        account=_account_bytes(obj.get("account")),
        seq=_json_int(obj, "seq"),
        valid_until=_json_int(obj, "valid_until"),
        endpoints=parsed,
        peer_id_prefix=_json_hex(obj, "peer_id_prefix", range(0, MAX_PEER_ID_PREFIX + 1)),
        version=version,
    )
    _check_fields(reg)
    network_id = _json_hex(obj, "network_id", (32,))
    signed = SignedRegistration(reg, _json_hex(obj, "signature", (SIGNATURE_BYTES,)))
    if "id" in obj:
        claimed = _json_hex(obj, "id", (32,))
        if claimed != signing_message(network_id, encode_body(reg)):
            raise RegistrationError("id is not the registration's message", code="bad_id")
    return signed, network_id


def accept_json(obj: Any, network_id: bytes, *, now: int) -> SignedRegistration:
    """Everything a receiver checks: the JSON form, its network, signature and expiry."""
    signed, claimed_network = from_json(obj)
    if claimed_network != network_id:
        raise RegistrationError("registration is for another network", code="wrong_network")
    verify_registration(signed, network_id, now=now)
    return signed


def _json_int(obj: dict[str, Any], name: str) -> int:
    value = obj.get(name)
    if type(value) is not int:
        raise RegistrationError(f"{name} must be an integer", code="malformed")
    if not 0 <= value <= MAX_U63:
        raise RegistrationError(f"{name} must be in [0, 2^63-1]", code="out_of_bounds")
    return value


def _json_hex(obj: dict[str, Any], name: str, lengths: Iterable[int]) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str) or len(value) % 2 or len(value) // 2 not in lengths:
        raise RegistrationError(f"{name} has the wrong length or type", code="malformed")
    if value != value.lower():
        raise RegistrationError(f"{name} must be lowercase hex", code="malformed")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise RegistrationError(f"{name} is not hex", code="malformed") from None


def _account_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise RegistrationError("account must be a Stellar account (G...)", code="bad_account")
    try:
        key: bytes = StrKey.decode_ed25519_public_key(value)
    except (Ed25519PublicKeyInvalidError, ValueError, TypeError):
        raise RegistrationError("account is not a valid G... strkey", code="bad_account") from None
    return key
