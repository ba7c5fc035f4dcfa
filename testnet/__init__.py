"""The local network harness (nodes, ledger, swarm on loopback) and public testnet config."""
