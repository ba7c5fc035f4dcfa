"""Small helpers between stellar_sdk XDR objects and the engine's plain values.

Assets are keys: ``"native"`` or ``"CODE:ISSUER"``. Accounts are G... strkeys.
"""

from __future__ import annotations

import hashlib
import string
from functools import lru_cache

from stellar_sdk import StrKey
from stellar_sdk import xdr as x

NATIVE = "native"
_ALNUM = set(string.ascii_letters + string.digits)


@lru_cache(maxsize=262_144)
def encode_account(raw: bytes) -> str:
    """G... strkey of a raw ed25519 key (cached: the base32 + CRC is costly)."""
    return StrKey.encode_ed25519_public_key(raw)


def account_str(account: x.AccountID) -> str:
    raw = account.account_id.ed25519
    assert raw is not None
    return encode_account(raw.uint256)


def muxed_str(muxed: x.MuxedAccount) -> str:
    """The underlying G... account of a (possibly multiplexed) account."""
    if muxed.med25519 is not None:
        return encode_account(muxed.med25519.ed25519.uint256)
    assert muxed.ed25519 is not None
    return encode_account(muxed.ed25519.uint256)


def account_xdr(account_id: str) -> x.AccountID:
    raw = StrKey.decode_ed25519_public_key(account_id)
    return x.AccountID(x.PublicKey(x.PublicKeyType.PUBLIC_KEY_TYPE_ED25519, x.Uint256(raw)))


def _code_str(raw: bytes) -> str:
    return raw.rstrip(b"\x00").decode("latin-1")


def asset_key(asset: x.Asset | x.ChangeTrustAsset) -> str:
    if asset.type == x.AssetType.ASSET_TYPE_NATIVE:
        return NATIVE
    if asset.alpha_num4 is not None:
        return f"{_code_str(asset.alpha_num4.asset_code.asset_code4)}:" + account_str(
            asset.alpha_num4.issuer
        )
    if asset.alpha_num12 is not None:
        return f"{_code_str(asset.alpha_num12.asset_code.asset_code12)}:" + account_str(
            asset.alpha_num12.issuer
        )
    return "pool"


def _code_valid(raw: bytes, min_len: int, max_len: int) -> bool:
    """stellar-core isAssetValid: alphanumeric code, zero padded at the end only."""
    code = raw.rstrip(b"\x00")
    if b"\x00" in code or not (min_len <= len(code) <= max_len):
        return False
    return all(chr(c) in _ALNUM for c in code)


def asset_valid(asset: x.Asset | x.ChangeTrustAsset) -> bool:
    if asset.type == x.AssetType.ASSET_TYPE_NATIVE:
        return True
    if asset.type == x.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4 and asset.alpha_num4 is not None:
        return _code_valid(asset.alpha_num4.asset_code.asset_code4, 1, 4)
    if asset.type == x.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12 and asset.alpha_num12 is not None:
        return _code_valid(asset.alpha_num12.asset_code.asset_code12, 5, 12)
    return False


def asset_issuer(key: str) -> str | None:
    if key == NATIVE:
        return None
    return key.split(":", 1)[1]


def asset_code(key: str) -> str | None:
    if key == NATIVE:
        return None
    return key.split(":", 1)[0]


def asset_type(key: str) -> str:
    if key == NATIVE:
        return "native"
    return "credit_alphanum4" if len(key.split(":", 1)[0]) <= 4 else "credit_alphanum12"


def int64(value: x.Int64) -> int:
    return value.int64


def claimable_balance_id(source: str, seq_num: int, op_index: int) -> str:
    """stellar-core: sha256(HashIDPreimage{ENVELOPE_TYPE_OP_ID, source, seq, opNum})."""
    preimage = x.HashIDPreimage(
        type=x.EnvelopeType.ENVELOPE_TYPE_OP_ID,
        operation_id=x.HashIDPreimageOperationID(
            source_account=account_xdr(source),
            seq_num=x.SequenceNumber(x.Int64(seq_num)),
            op_num=x.Uint32(op_index),
        ),
    )
    digest = hashlib.sha256(preimage.to_xdr_bytes()).hexdigest()
    return "00000000" + digest


def balance_id_str(balance_id: x.ClaimableBalanceID) -> str:
    assert balance_id.v0 is not None
    return "00000000" + balance_id.v0.hash.hex()


def balance_id_xdr(balance_id: str) -> x.ClaimableBalanceID:
    return x.ClaimableBalanceID(
        x.ClaimableBalanceIDType.CLAIMABLE_BALANCE_ID_TYPE_V0,
        x.Hash(bytes.fromhex(balance_id[8:])),
    )


def signer_key_str(key: x.SignerKey) -> str:
    if key.type == x.SignerKeyType.SIGNER_KEY_TYPE_ED25519 and key.ed25519 is not None:
        return encode_account(key.ed25519.uint256)
    if key.type == x.SignerKeyType.SIGNER_KEY_TYPE_PRE_AUTH_TX and key.pre_auth_tx is not None:
        return StrKey.encode_pre_auth_tx(key.pre_auth_tx.uint256)
    if key.type == x.SignerKeyType.SIGNER_KEY_TYPE_HASH_X and key.hash_x is not None:
        return StrKey.encode_sha256_hash(key.hash_x.uint256)
    return "unsupported:" + key.to_xdr()
