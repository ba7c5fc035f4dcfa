from __future__ import annotations

from pydantic import BaseModel, Field


class ChallengeOut(BaseModel):
    transaction: str = Field(description="SEP-10 challenge transaction (base64 XDR) to sign")
    network_passphrase: str


class SignedChallengeIn(BaseModel):
    transaction: str = Field(
        min_length=1, max_length=8192, description="The challenge, signed by the account"
    )


class TokenOut(BaseModel):
    token: str = Field(description="JWT (HS256); send as `Authorization: Bearer <token>`")
    expires_at: int = Field(description="Unix time the token expires")
    account: str = Field(description="The signed-in account (the token's subject)")
