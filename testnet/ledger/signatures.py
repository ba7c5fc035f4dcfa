"""Signature weights as stellar-core's SignatureChecker counts them.

A transaction's signatures are matched against an account's signers (pre-authorized
transaction hashes first, then hash(x) preimages, then ed25519 keys). Each signer counts
once per check; every signature that matched is marked used, and a signature never used
by any check makes the transaction fail with txBAD_AUTH_EXTRA.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from stellar_sdk import StrKey
from stellar_sdk import xdr as x

from testnet.ledger.codec import signer_key_str
from testnet.ledger.state import Account, Signer

_MAX_WEIGHT = 255


@lru_cache(maxsize=4096)
def _verify_key(account_id: str) -> VerifyKey:
    return VerifyKey(StrKey.decode_ed25519_public_key(account_id))


def account_signers(account: Account) -> list[Signer]:
    signers = []
    if account.master_weight > 0:
        signers.append(Signer(account.account_id, account.master_weight))
    signers.extend(account.signers)
    return signers


class SignatureChecker:
    def __init__(
        self,
        contents_hash: bytes,
        signatures: list[x.DecoratedSignature],
        verified: dict[tuple[bytes, int, str], bool] | None = None,
    ) -> None:
        """``verified`` keeps ed25519 answers across checkers of one transaction."""
        self.contents_hash = contents_hash
        self.signatures = [(s.hint.signature_hint, s.signature.signature) for s in signatures]
        self.used = [False] * len(self.signatures)
        self._verified = {} if verified is None else verified
        self._checked: dict[tuple[tuple[Signer, ...], int], bool] = {}

    def _ed25519_ok(self, index: int, key: str) -> bool:
        cached = self._verified.get((self.contents_hash, index, key))
        if cached is not None:
            return cached
        hint, signature = self.signatures[index]
        ok = False
        if StrKey.decode_ed25519_public_key(key)[-4:] == hint:
            try:
                _verify_key(key).verify(self.contents_hash, signature)
                ok = True
            except (BadSignatureError, ValueError):
                ok = False
        self._verified[(self.contents_hash, index, key)] = ok
        return ok

    def _hash_x_ok(self, index: int, key: str) -> bool:
        hint, signature = self.signatures[index]
        digest = StrKey.decode_sha256_hash(key)
        return digest[-4:] == hint and hashlib.sha256(signature).digest() == digest

    def check(self, signers: list[Signer], needed: int) -> bool:
        """Whether the signatures weigh ``needed`` for these signers, marking those used.

        The same signers and weight give the same answer and mark the same signatures
        (e.g. 100 operations of one source), so the answer is kept for the next asking.
        """
        key = (tuple(signers), needed)
        known = self._checked.get(key)
        if known is None:
            known = self._checked[key] = self._check(signers, needed)
        return known

    def _check(self, signers: list[Signer], needed: int) -> bool:
        total = 0
        for signer in signers:
            is_pre_auth = signer.key.startswith("T")
            if is_pre_auth and StrKey.decode_pre_auth_tx(signer.key) == self.contents_hash:
                total += min(signer.weight, _MAX_WEIGHT)
                if total >= needed:
                    return True
        for prefix, matcher in (("X", self._hash_x_ok), ("G", self._ed25519_ok)):
            remaining = [s for s in signers if s.key.startswith(prefix)]
            for index in range(len(self.signatures)):
                for signer in remaining:
                    if matcher(index, signer.key):
                        self.used[index] = True
                        total += min(signer.weight, _MAX_WEIGHT)
                        if total >= needed:
                            return True
                        remaining.remove(signer)
                        break
        return False

    def check_signed_payload(self, public_key: bytes, payload: bytes) -> bool:
        """An ed25519 signed-payload extra signer: some signature signs ``payload``."""
        key = VerifyKey(public_key)
        for index, (_hint, signature) in enumerate(self.signatures):
            try:
                key.verify(payload, signature)
            except (BadSignatureError, ValueError):
                continue
            self.used[index] = True
            return True
        return False

    def check_extra_signer(self, signer: x.SignerKey) -> bool:
        """CAP-21 extra signer: a signer of weight 1 that must be satisfied."""
        signed = signer.ed25519_signed_payload
        if signer.type == x.SignerKeyType.SIGNER_KEY_TYPE_ED25519_SIGNED_PAYLOAD and signed:
            return self.check_signed_payload(signed.ed25519.uint256, signed.payload)
        return self.check([Signer(signer_key_str(signer), 1)], 1)

    def all_used(self) -> bool:
        return all(self.used)
