"""The JSON form of a signed peer registration (docs/registration.md section 3)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from node.api.models.common import INT64_MAX, Account

HEX32 = "^[0-9a-f]{64}$"
ENDPOINT_PATTERN = r"^([0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$"


class RegistrationIn(BaseModel):
    """Documents the body; the node checks it field by field with the codes of
    docs/registration.md (``malformed``, ``unknown_field``, ``bad_endpoint``, ...)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    network_id: str = Field(pattern=HEX32, description="Hex SHA-256 of the network passphrase")
    account: Account
    seq: int = Field(ge=1, le=INT64_MAX, description="A higher seq replaces the stored one")
    valid_until: int = Field(ge=0, le=INT64_MAX, description="Unix seconds; void after it")
    endpoints: list[str] = Field(
        min_length=1,
        max_length=8,
        description="`a.b.c.d:port` or `[ipv6]:port`, strictly ascending (family, address, port)",
        json_schema_extra={"items": {"type": "string", "pattern": ENDPOINT_PATTERN}},
    )
    peer_id_prefix: str = Field(
        pattern="^([0-9a-f]{2}){0,20}$", description="Lowercase hex, up to 20 bytes"
    )
    signature: str = Field(pattern="^[0-9a-f]{128}$", description="Ed25519, lowercase hex")
    id: str | SkipJsonSchema[None] = Field(
        None, pattern=HEX32, description="Optional; when present, the registration's message"
    )


class RegisteredOut(BaseModel):
    account: Account
    seq: int
    status: Literal["registered", "unchanged", "sealed"] = Field(
        description="`sealed` on a federation validator (202): it takes effect on every "
        "validator when the epoch it was sealed in closes"
    )


class RegistrationOut(RegistrationIn):
    """A stored registration with its signature, so anyone can check it."""

    id: str = Field(pattern=HEX32, description="The registration's message")  # type: ignore[assignment]
