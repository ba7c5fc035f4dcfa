"""Writes signed by the account that makes them, so that every validator can check them.

A node alone trusts its own sign-in tokens (SEP-10). A token one validator issued proves
nothing to another, so a federation validator takes a write (publishing, prices, plans,
subscriptions, proposals, votes, ...) only when the request itself is signed by the
account, with SEP-53 (stellar-sdk's ``Keypair.sign_message``), over:

    ["ace-write-v1", network passphrase, account, METHOD, path, Idempotency-Key,
     signed_at, hex SHA-256 of the request body]

encoded canonically (``contracts.canonical``). The request carries it in one header:

    Authorization: Ace-Signed account=G...,signed_at=<unix seconds>,signature=<base64>

The validator that receives it seals it into its next batch (``batches``), like receipts;
every validator applies it, through the same route as a node alone, when the epoch whose
input set includes the batch closes, and checks the user's signature again then: a sealer
cannot invent or change a write. The Idempotency-Key makes it apply once, whichever and
however many validators it was sent to; ``signed_at`` must be within ``WINDOW_SECONDS`` of
the sealer's clock, so an old signed write cannot be replayed after its key is forgotten.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from stellar_sdk import Keypair, StrKey
from stellar_sdk.exceptions import BadSignatureError, Ed25519PublicKeyInvalidError

from contracts.canonical import canonical_bytes
from servicelayer.errors import InvalidInput, Unauthorized

TAG = "ace-write-v1"
SCHEME = "Ace-Signed"
WINDOW_SECONDS = 300
"""A signed write is taken only within this many seconds of its ``signed_at``."""
MAX_BODY_BYTES = 64 << 10
_HEADER = re.compile(
    r"account=(?P<account>G[A-Z2-7]{55}),signed_at=(?P<signed_at>[0-9]{1,12}),"
    r"signature=(?P<signature>[A-Za-z0-9+/=]{1,200})"
)
_METHODS = ("POST", "PUT", "DELETE")


@dataclass(frozen=True, slots=True)
class SignedWrite:
    account: str
    method: str
    path: str
    key: str  # the Idempotency-Key
    signed_at: int
    body: str  # the request body, exactly as signed ("" for none)
    signature: str  # base64

    def message(self, passphrase: str) -> bytes:
        digest = hashlib.sha256(self.body.encode()).hexdigest()
        return canonical_bytes(
            [
                TAG,
                passphrase,
                self.account,
                self.method,
                self.path,
                self.key,
                self.signed_at,
                digest,
            ]
        )

    def verify(self, passphrase: str) -> None:
        """Raises ``Unauthorized`` unless the account signed exactly this write."""
        try:
            raw = base64.b64decode(self.signature, validate=True)
            Keypair.from_public_key(self.account).verify_message(self.message(passphrase), raw)
        except (binascii.Error, ValueError, BadSignatureError, Ed25519PublicKeyInvalidError):
            raise Unauthorized(
                "the write's signature does not verify against the account's key (SEP-53 "
                "over the exact message; see docs/api.md, 'Signed writes')",
                code="bad_signature",
            ) from None

    def check_time(self, now: int) -> None:
        if abs(now - self.signed_at) > WINDOW_SECONDS:
            raise Unauthorized(
                f"signed_at is {self.signed_at}, more than {WINDOW_SECONDS} s from this "
                f"validator's clock ({now}): sign the write again",
                code="stale_signature",
            )

    def wire(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "method": self.method,
            "path": self.path,
            "key": self.key,
            "signed_at": self.signed_at,
            "body": self.body,
            "signature": self.signature,
        }

    @staticmethod
    def of(wire: object) -> SignedWrite:
        """The write in ``wire`` (as a batch carries it), its shape checked; not its
        signature (``verify``)."""
        fields = ("account", "method", "path", "key", "signed_at", "body", "signature")
        if not isinstance(wire, dict) or set(wire) != set(fields):
            raise InvalidInput(f"a signed write has exactly {', '.join(fields)}", code="bad_write")
        write = SignedWrite(*(wire[f] for f in fields))
        strings = (write.account, write.method, write.path, write.key, write.body, write.signature)
        if (
            not all(type(v) is str for v in strings)
            or type(write.signed_at) is not int
            or not StrKey.is_valid_ed25519_public_key(write.account)
            or write.method not in _METHODS
            or not write.path.startswith("/v1/")
            or len(write.path) > 512
            or not 0 < len(write.key) <= 255
            or len(write.body) > MAX_BODY_BYTES
            or not 0 <= write.signed_at < 1 << 40
        ):
            raise InvalidInput("a malformed signed write", code="bad_write")
        return write


def from_header(authorization: str, method: str, path: str, key: str, body: bytes) -> SignedWrite:
    """The write an ``Ace-Signed`` Authorization header claims (not verified yet)."""
    scheme, _, params = authorization.partition(" ")
    match = _HEADER.fullmatch(params.strip().replace(" ", ""))
    if scheme != SCHEME or match is None:
        raise Unauthorized(
            f"the Authorization header must be `{SCHEME} account=G...,signed_at=<unix "
            "seconds>,signature=<base64>` (docs/api.md, 'Signed writes')",
            code="signed_write_required",
        )
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise InvalidInput("the body must be UTF-8 JSON", code="bad_write") from None
    return SignedWrite(
        match["account"],
        method.upper(),
        path,
        key,
        int(match["signed_at"]),
        text,
        match["signature"],
    )


def sign_write(
    keypair: Keypair,
    passphrase: str,
    method: str,
    path: str,
    key: str,
    body: bytes,
    signed_at: int,
) -> dict[str, str]:
    """The headers of a signed write (for clients: a DApp signs with the user's key)."""
    write = SignedWrite(keypair.public_key, method.upper(), path, key, signed_at, body.decode(), "")
    signature = base64.b64encode(keypair.sign_message(write.message(passphrase))).decode()
    return {
        "Authorization": f"{SCHEME} account={keypair.public_key},signed_at={signed_at},"
        f"signature={signature}",
        "Idempotency-Key": key,
    }
