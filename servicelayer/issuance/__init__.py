"""Issuing the governance token and content-access tokens on Stellar."""
