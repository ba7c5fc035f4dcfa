"""Stellar access: the embedded standalone ledger and (later) the Horizon client."""
