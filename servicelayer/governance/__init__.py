"""Governance's side of the node: carrying out the DAO's decisions."""
