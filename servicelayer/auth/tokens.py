"""API tokens: HS256 JWTs (PyJWT) whose subject is the signed-in Stellar account.

The secret is 32 random bytes generated into the node's data directory (mode 0600) on
first start; removing the file signs everybody out at the next restart.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

import jwt

from servicelayer.errors import ConfigError, Unauthorized

TOKEN_SECONDS = 3600
ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 4096


def ensure_secret_file(path: Path) -> bytes:
    """The secret at ``path``, created (0600) when missing; refused if others can read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read that one
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
    try:
        mode = path.stat().st_mode
        text = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"{path} does not hold a hex secret") from None
    if len(secret) < 32:
        raise ConfigError(f"{path} holds a secret shorter than 32 bytes")
    return secret


@dataclass(frozen=True)
class TokenIssuer:
    secret: bytes
    issuer: str  # the node's account (G...)
    lifetime: int = TOKEN_SECONDS

    def issue(self, account: str, now: int) -> tuple[str, int]:
        """A token for ``account`` and the unix time it expires."""
        expires_at = now + self.lifetime
        claims = {
            "iss": self.issuer,
            "sub": account,
            "iat": now,
            "exp": expires_at,
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM), expires_at

    def account_of(self, token: str, now: int) -> str:
        """The account a valid token was issued to; Unauthorized if not valid at ``now``."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise Unauthorized("missing or malformed token")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                # times are checked below against the node's clock, not the library's
                options={
                    "require": ["exp", "sub", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            raise Unauthorized("invalid token; sign in again at /v1/auth") from None
        exp = claims.get("exp")
        if type(exp) is not int or now >= exp:
            raise Unauthorized("token expired; sign in again at /v1/auth")
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise Unauthorized("invalid token; sign in again at /v1/auth")
        return sub
