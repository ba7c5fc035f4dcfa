"""Public reads of the DAO: its accounts, its assets and the node's SEP-1 ``stellar.toml``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from contracts.moderation import ModerationState
from node.api.errors import documented
from node.api.models.assets import AssetOut, AssetsOut
from node.api.models.common import ASSET_CODE_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.dao.keys import ROLES, DaoKeys
from servicelayer.issuance import stellar_toml
from servicelayer.issuance.views import asset_json, issued_asset, issued_assets
from servicelayer.services.common import asset_text, state_of

router = APIRouter(tags=["assets"])


@router.get(
    "/v1/assets",
    response_model=AssetsOut,
    summary="The DAO's assets (governance and content-access tokens)",
    description="As the issuance contract knows them; amounts in integer stroops.",
    responses=documented(503),
)
def list_assets(node: NodeState = Depends(node_state)) -> AssetsOut:
    with node.database.session() as s:
        found = issued_assets(node.runtime, s)
    return AssetsOut.model_validate({"assets": [asset_json(a) for a in found]})


@router.get(
    "/v1/assets/{code}",
    response_model=AssetOut,
    summary="One asset by code",
    responses=documented(404, 422, 503),
)
def get_asset(
    code: str = Path(pattern=ASSET_CODE_PATTERN, description="Asset code"),
    node: NodeState = Depends(node_state),
) -> AssetOut:
    with node.database.session() as s:
        found = issued_asset(node.runtime, s, code)
    return AssetOut.model_validate(asset_json(found))


@router.get(
    "/.well-known/stellar.toml",
    response_class=PlainTextResponse,
    summary="SEP-1 stellar.toml: network, accounts, signing key, assets",
    responses=documented(503),
)
def stellar_toml_file(request: Request, node: NodeState = Depends(node_state)) -> PlainTextResponse:
    s = node.settings
    with node.database.session() as session:
        found = issued_assets(node.runtime, session)
    info = stellar_toml.NodeInfo(
        network_passphrase=s.network_passphrase,
        horizon_url=s.stellar.horizon_url,
        signing_key=node.node_account,
        web_auth_endpoint=str(request.base_url).rstrip("/") + "/v1/auth",
    )
    body = stellar_toml.render(info, stellar_toml.dao_accounts(DaoKeys(s.data_dir)), found)
    return PlainTextResponse(
        body,
        media_type="text/plain; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )


class DaoOut(BaseModel):
    network_passphrase: str
    horizon_url: str = Field(description="the Horizon of the ledger the node settles on")
    accounts: dict[str, str] = Field(
        description="role -> account for the DAO accounts that exist: treasury (members pay "
        "it, see docs/api.md 'Paying the treasury'), issuer, distribution, anchor"
    )
    validators: list[str] = Field(description="the validators whose signatures move DAO funds")
    threshold: int = Field(description="how many of them must sign")
    params: dict[str, int] = Field(
        description="the DAO parameters in force (docs/contracts/moderation.md), e.g. "
        "gov.appeal_bond, network.fee_bps"
    )
    bond_asset: str = Field(description="the asset appeal bonds are paid in (XLM or CODE:ISSUER)")


@router.get(
    "/v1/dao",
    response_model=DaoOut,
    summary="The DAO's accounts by role, its validators, parameters and network",
    responses=documented(503),
)
def dao(node: NodeState = Depends(node_state)) -> DaoOut:
    s = node.settings
    keys = DaoKeys(s.data_dir)
    accounts = {role: keys.public(role) for role in ROLES if keys.path(role).exists()}
    with node.database.session() as session:
        moderation: ModerationState = state_of(node.runtime, session, "moderation")
    return DaoOut(
        network_passphrase=s.network_passphrase,
        horizon_url=s.stellar.horizon_url,
        accounts=accounts,
        validators=list(s.stellar.validators) or [node.node_account],
        threshold=s.stellar.threshold,
        params=dict(sorted(moderation.params.items())),
        bond_asset=asset_text(moderation.bond_asset),
    )
