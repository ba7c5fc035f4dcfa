"""Domain-separated ed25519 signatures over receipts.

    payload = b"ACE-RECEIPT-V1\\x00" || network_id || body
    id      = SHA-256(payload)
    sig     = Ed25519-Sign(signer secret, id)

``network_id`` is SHA-256 of the Stellar network passphrase, exactly as Stellar derives
it, so a receipt signed for one network never verifies on another.
"""

from __future__ import annotations

import hashlib

from nacl.bindings import crypto_sign, crypto_sign_open
from nacl.exceptions import BadSignatureError
from stellar_sdk import Keypair, Network

from servicelayer.receipts.codec import encode_body
from servicelayer.receipts.model import Receipt, SignedReceipt

DOMAIN_TAG = b"ACE-RECEIPT-V1\x00"


def network_id(passphrase: str) -> bytes:
    return Network(passphrase).network_id()


def signing_payload(net_id: bytes, body: bytes) -> bytes:
    return DOMAIN_TAG + net_id + body


def receipt_id(net_id: bytes, body: bytes) -> bytes:
    return hashlib.sha256(DOMAIN_TAG + net_id + body).digest()


def sign(receipt: Receipt, keypair: Keypair, net_id: bytes) -> SignedReceipt:
    """Sign with the signer's Stellar key; refuses a key that is not the receipt's signer."""
    if keypair.raw_public_key() != receipt.signer:
        raise ValueError("the keypair is not the receipt's signer")
    body = encode_body(receipt)
    rid = receipt_id(net_id, body)
    signature = keypair.sign(rid)
    return SignedReceipt(receipt=receipt, signature=signature, id=rid, body=body)


def verify(signer: bytes, rid: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the signer's ed25519 signature of the receipt id."""
    try:
        crypto_sign_open(signature + rid, signer)
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


def sign_raw(secret_seed: bytes, public_key: bytes, rid: bytes) -> bytes:
    """Sign a receipt id with a raw seed (hot path for benchmarks and load generators)."""
    return crypto_sign(rid, secret_seed + public_key)[:64]
