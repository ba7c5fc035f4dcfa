"""Horizon-compatible HTTP front of the embedded standalone ledger."""

from node.horizon.app import create_horizon_app

__all__ = ["create_horizon_app"]
