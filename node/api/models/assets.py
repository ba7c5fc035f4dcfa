"""Shapes of the asset reads (``GET /v1/assets``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AssetFlagsOut(BaseModel):
    auth_required: bool
    revocable: bool
    clawback_enabled: bool


class AssetOut(BaseModel):
    code: str = Field(examples=["ACE"])
    issuer: str = Field(description="Issuer account G...")
    distribution: str = Field(description="Account that holds freshly minted supply")
    kind: str = Field(description="`governance` or `access`")
    grants: str = Field(description="Access tokens: `content:<infohash>` or `plan:<id>`")
    cap: int = Field(description="Supply cap, integer stroops")
    issued: int = Field(description="Every stroop ever minted, integer stroops")
    outstanding: int = Field(description="Issued minus burned and clawed back, stroops")
    flags: AssetFlagsOut
    locked: bool = Field(description="Issuer locked: the supply is fixed for good")


class AssetsOut(BaseModel):
    assets: list[AssetOut]
