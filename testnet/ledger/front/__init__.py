"""Horizon-compatible HTTP front of the embedded standalone ledger."""

from testnet.ledger.front.app import create_horizon_app

__all__ = ["create_horizon_app"]
