"""Swarm probes: a libtorrent session that checks what receipts claim."""
