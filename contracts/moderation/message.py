"""The canonical text a DAO member signs to vote, shared by the service layer and the CLI.

The member signs ``vote_message(...)`` with SEP-53 ("Sign and Verify Messages"): the
ed25519 signature covers ``SHA-256("Stellar Signed Message:\\n" + message)``, which
``sep53_digest`` computes. The service layer checks the signature against the voter's
account key and passes ``sep53_digest(message).hex()`` to the contract as
``ActionVote.signed_message_hash``.

Format (UTF-8, lines joined by ``\\n``, no trailing newline)::

    Ace DAO vote v1
    network: <network passphrase>
    proposal: <proposal id, decimal>
    choice: <yes|no|abstain>
    reason-sha256: <64 lowercase hex of SHA-256 of the UTF-8 reason, or "-" for none>
    nonce: <non-negative decimal integer; must grow when a vote is changed>
"""

from __future__ import annotations

import hashlib

from contracts.common import is_account
from contracts.moderation.state import VoteChoice

VOTE_HEADER = "Ace DAO vote v1"
SEP53_PREFIX = b"Stellar Signed Message:\n"


def reason_hash(reason: str) -> bytes:
    return hashlib.sha256(reason.encode()).digest()


def vote_message(
    network_passphrase: str,
    proposal_id: int,
    choice: VoteChoice | str,
    reason_hash: bytes | None,
    nonce: int,
) -> bytes:
    """The exact bytes a member signs to cast ``choice`` on ``proposal_id``.

    Raises ``ValueError`` on inputs that cannot form a valid message (this is a
    helper for signers, not a contract transition).
    """
    if not network_passphrase or "\n" in network_passphrase:
        raise ValueError("network passphrase must be one non-empty line")
    if type(proposal_id) is not int or proposal_id < 1:
        raise ValueError("proposal id must be a positive integer")
    if type(nonce) is not int or nonce < 0:
        raise ValueError("nonce must be a non-negative integer")
    if reason_hash is not None and len(reason_hash) != 32:
        raise ValueError("reason hash must be 32 bytes")
    lines = (
        VOTE_HEADER,
        f"network: {network_passphrase}",
        f"proposal: {proposal_id}",
        f"choice: {VoteChoice(choice).value}",
        f"reason-sha256: {reason_hash.hex() if reason_hash is not None else '-'}",
        f"nonce: {nonce}",
    )
    return "\n".join(lines).encode()


DELEGATION_HEADER = "Ace DAO delegation v1"


def delegation_message(network_passphrase: str, delegate: str, nonce: int) -> bytes:
    """The exact bytes a member signs (SEP-53) to delegate its weight, or to revoke
    its delegation with ``delegate=""``::

        Ace DAO delegation v1
        network: <network passphrase>
        delegate: <G... account, or "-" to revoke>
        nonce: <non-negative decimal integer>

    The service layer verifies the signature, then sends ``ActionDelegate`` /
    ``ActionUndelegate`` with the ledger it observed the message at.
    """
    if not network_passphrase or "\n" in network_passphrase:
        raise ValueError("network passphrase must be one non-empty line")
    if delegate and not is_account(delegate):
        raise ValueError("delegate must be a Stellar account id or empty")
    if type(nonce) is not int or nonce < 0:
        raise ValueError("nonce must be a non-negative integer")
    lines = (
        DELEGATION_HEADER,
        f"network: {network_passphrase}",
        f"delegate: {delegate or '-'}",
        f"nonce: {nonce}",
    )
    return "\n".join(lines).encode()


def sep53_digest(message: bytes) -> bytes:
    """The 32 bytes a SEP-53 signature covers."""
    return hashlib.sha256(SEP53_PREFIX + message).digest()


def vote_digest_hex(
    network_passphrase: str, proposal_id: int, choice: VoteChoice | str, reason: str, nonce: int
) -> str:
    """Hex SEP-53 digest of the vote message for these fields (an empty reason is "-")."""
    hashed = reason_hash(reason) if reason else None
    return sep53_digest(vote_message(network_passphrase, proposal_id, choice, hashed, nonce)).hex()
