"""Messages between validators, signed by the sender's validator key.

A message is ``{kind, sender, epoch, round, body}`` plus the sender's signature. What is
signed is the canonical encoding (``contracts.canonical``: sorted maps, no floats) of the
message together with a protocol tag and the network passphrase, with SEP-53 (stellar-sdk's
``Keypair.sign_message``): a message signed for one network, or for another purpose,
never verifies as a federation message of this one. A receiver accepts a message only
from a validator of its own set, of a kind it knows, within a size bound, and only if the
signature verifies; anything else is refused with a clear error and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from stellar_sdk import Keypair
from stellar_sdk.exceptions import BadSignatureError, Ed25519PublicKeyInvalidError

from contracts.canonical import canonical_bytes
from servicelayer.errors import InvalidInput, Unauthorized

TAG = "acenode-federation-v1"
MAX_BODY_BYTES = 1 << 20
"""A message body's canonical encoding may not exceed 1 MiB."""


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    sender: str
    epoch: int
    round: int
    body: Any  # JSON values without floats


def signed_bytes(message: Message, passphrase: str) -> bytes:
    """The exact bytes the sender signs."""
    try:
        encoded = canonical_bytes(
            {
                "tag": TAG,
                "network": passphrase,
                "kind": message.kind,
                "sender": message.sender,
                "epoch": message.epoch,
                "round": message.round,
                "body": message.body,
            }
        )
    except TypeError as exc:
        raise InvalidInput(
            f"the message body cannot be signed: {exc}", code="bad_message"
        ) from None
    if len(encoded) > MAX_BODY_BYTES:
        raise InvalidInput("the message is too large", code="bad_message")
    return encoded


def seal(message: Message, keypair: Keypair, passphrase: str) -> dict[str, Any]:
    """The wire form of ``message``, signed with the sender's key."""
    if keypair.public_key != message.sender:
        raise ValueError("a message is signed by its sender's key")
    signature = keypair.sign_message(signed_bytes(message, passphrase))
    return {
        "kind": message.kind,
        "sender": message.sender,
        "epoch": message.epoch,
        "round": message.round,
        "body": message.body,
        "signature": base64.b64encode(signature).decode(),
    }


def open_message(
    wire: object, passphrase: str, validators: Collection[str], kinds: Collection[str]
) -> Message:
    """The message in ``wire`` once it checks out: well formed, of a known kind, from a
    validator of ``validators``, signed by it for this network. Raises ``InvalidInput``
    (malformed) or ``Unauthorized`` (not a validator's, or the signature fails)."""
    if not isinstance(wire, dict) or set(wire) != {
        "kind",
        "sender",
        "epoch",
        "round",
        "body",
        "signature",
    }:
        raise InvalidInput(
            "a federation message has exactly kind, sender, epoch, round, body, signature",
            code="bad_message",
        )
    kind, sender, signature = wire["kind"], wire["sender"], wire["signature"]
    epoch, round_ = wire["epoch"], wire["round"]
    if type(kind) is not str or kind not in kinds:
        raise InvalidInput(f"unknown message kind {str(kind)[:40]!r}", code="bad_message")
    for name, value in (("epoch", epoch), ("round", round_)):
        if type(value) is not int or not 0 <= value < 1 << 63:
            raise InvalidInput(f"{name} must be a non-negative integer", code="bad_message")
    if type(sender) is not str or sender not in validators:
        raise Unauthorized("the sender is not a validator of this federation", code="not_member")
    message = Message(kind, sender, epoch, round_, wire["body"])
    payload = signed_bytes(message, passphrase)
    try:
        raw = base64.b64decode(signature if type(signature) is str else "", validate=True)
        Keypair.from_public_key(sender).verify_message(payload, raw)
    except (binascii.Error, ValueError, BadSignatureError, Ed25519PublicKeyInvalidError):
        raise Unauthorized(
            "the signature does not verify against the sender's validator key",
            code="bad_signature",
        ) from None
    return message


PULL = "pull"
MEMBER_SCHEME = "Ace-Member"
PULL_WINDOW_SECONDS = 300


def member_authorization(keypair: Keypair, passphrase: str, now: int) -> str:
    """The Authorization header of a validator's read of another's batches (they carry
    accounts' signed writes, which only validators need)."""
    wire = seal(Message(PULL, keypair.public_key, 0, 0, {"at": now}), keypair, passphrase)
    encoded = base64.b64encode(json.dumps(wire, separators=(",", ":")).encode()).decode()
    return f"{MEMBER_SCHEME} {encoded}"


def member_of(authorization: str, passphrase: str, validators: Collection[str], now: int) -> str:
    """The validator whose ``member_authorization`` this is; raises ``Unauthorized``."""
    scheme, _, encoded = authorization.partition(" ")
    try:
        if scheme != MEMBER_SCHEME or len(encoded) > 4096:
            raise ValueError
        wire = json.loads(base64.b64decode(encoded, validate=True))
    except (ValueError, binascii.Error):
        raise Unauthorized(
            f"only validators read batches: `Authorization: {MEMBER_SCHEME} <signed pull>`",
            code="not_member",
        ) from None
    try:
        message = open_message(wire, passphrase, validators, (PULL,))
    except InvalidInput:
        raise Unauthorized("a malformed member authorization", code="not_member") from None
    at = message.body.get("at") if isinstance(message.body, dict) else None
    if type(at) is not int or abs(now - at) > PULL_WINDOW_SECONDS:
        raise Unauthorized("the member authorization is stale", code="not_member")
    return message.sender
