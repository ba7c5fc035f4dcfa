"""SEP-10 web authentication with stellar-sdk's helpers.

The node is the server: it builds a challenge transaction signed with its own key, the
client signs it with its account's key, and the node checks both signatures, the time
bounds, the home domain and the web-auth domain. Only the client's master key is
accepted (the node follows no ledger yet, so it cannot read an account's signers).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stellar_sdk import Keypair, ManageData
from stellar_sdk.exceptions import Ed25519PublicKeyInvalidError
from stellar_sdk.sep.exceptions import InvalidSep10ChallengeError
from stellar_sdk.sep.stellar_web_authentication import (
    build_challenge_transaction,
    read_challenge_transaction,
    verify_challenge_transaction_signed_by_client_master_key,
)

from servicelayer.errors import InvalidInput, Unauthorized

CHALLENGE_SECONDS = 300
MAX_CHALLENGE_CHARS = 8192


@dataclass(frozen=True)
class SignedChallenge:
    """A challenge the node issued, signed by ``account``: what makes it single use."""

    account: str
    nonce: str  # the challenge's random ManageData value (base64 of 48 bytes)
    expires_at: int  # its max time bound (unix seconds)


@dataclass(frozen=True)
class Sep10Server:
    keypair: Keypair  # the node's signing key; never logged
    home_domain: str
    web_auth_domain: str
    network_passphrase: str
    timeout: int = CHALLENGE_SECONDS

    def challenge(self, account: str) -> str:
        """A challenge transaction (base64 XDR) for ``account`` to sign."""
        if not _is_account(account):
            raise InvalidInput("account must be a Stellar account (G...)", code="invalid_account")
        return str(
            build_challenge_transaction(
                server_secret=self.keypair.secret,
                client_account_id=account,
                home_domain=self.home_domain,
                web_auth_domain=self.web_auth_domain,
                network_passphrase=self.network_passphrase,
                timeout=self.timeout,
            )
        )

    def verify(self, transaction: str) -> SignedChallenge:
        """Our challenge ``transaction`` signed by its account; Unauthorized otherwise."""
        challenge = self.read(transaction)
        self.check_client_signature(transaction)
        return challenge

    def read(self, transaction: str) -> SignedChallenge:
        """Our challenge (our signature, time bounds, domains), whose account's signature
        is not checked yet; Unauthorized otherwise."""
        if not transaction or len(transaction) > MAX_CHALLENGE_CHARS:
            raise Unauthorized("not a challenge transaction")
        with _refusals():
            read = read_challenge_transaction(
                challenge_transaction=transaction,
                server_account_id=self.keypair.public_key,
                home_domains=self.home_domain,
                web_auth_domain=self.web_auth_domain,
                network_passphrase=self.network_passphrase,
            )
        account: str = read.client_account_id
        if not _is_account(account):
            raise Unauthorized("only G... accounts can sign in")
        tx = read.transaction.transaction
        bounds = tx.preconditions.time_bounds if tx.preconditions else None
        first = tx.operations[0]  # read_challenge_transaction checked it is the nonce
        nonce = first.data_value if isinstance(first, ManageData) else None
        if bounds is None or not isinstance(nonce, bytes):
            raise Unauthorized("not a valid challenge transaction")
        return SignedChallenge(account, nonce.decode("ascii"), int(bounds.max_time))

    def check_client_signature(self, transaction: str) -> None:
        """Unauthorized unless the challenge's account signed it with its master key."""
        with _refusals():
            verify_challenge_transaction_signed_by_client_master_key(
                challenge_transaction=transaction,
                server_account_id=self.keypair.public_key,
                home_domains=self.home_domain,
                web_auth_domain=self.web_auth_domain,
                network_passphrase=self.network_passphrase,
            )


@contextmanager
def _refusals() -> Iterator[None]:
    """stellar-sdk's refusals, and any failure of hostile XDR, as Unauthorized."""
    try:
        yield
    except InvalidSep10ChallengeError as exc:
        raise Unauthorized(f"challenge refused: {exc}") from None
    except Exception:  # hostile XDR can fail deep inside the decoder, in many ways
        raise Unauthorized("not a valid challenge transaction") from None


def _is_account(value: str) -> bool:
    try:
        Keypair.from_public_key(value)
    except (Ed25519PublicKeyInvalidError, ValueError, TypeError):
        return False
    return True
