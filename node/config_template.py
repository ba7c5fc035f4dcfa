"""The commented TOML that ``acenode init`` writes."""

from __future__ import annotations

from servicelayer.config import NodeSettings

_TEMPLATE = """\
# Ace service-layer node configuration.
# Precedence: these values < environment (ACENODE_<NAME>) < command-line flags.

# Address and port of the REST API.
host = "{host}"
port = {port}

# Database. Unset: SQLite (WAL) in the data directory, the embedded default.
# Production: PostgreSQL, e.g. "postgresql://acenode@127.0.0.1:5432/acenode".
# database_url = "postgresql://user@host:5432/db"

# Stellar network the node serves; receipts signed for another network are refused.
network_passphrase = "{network_passphrase}"

# Epoch length in seconds (a multiple of the 60 s receipt window).
epoch_seconds = {epoch_seconds}

# How far a receipt's window may lie in the future (peer clocks drift), in seconds.
clock_skew_seconds = {clock_skew_seconds}

# Receipts whose window ended longer ago than this are refused, in seconds.
retention_seconds = {retention_seconds}

# Largest batch per POST /v1/receipts, and largest request body in bytes.
max_batch = {max_batch}
max_body_bytes = {max_body_bytes}

# A single stream faster than this (bytes per second) is physically implausible.
max_bytes_per_second = {max_bytes_per_second}

log_level = "{log_level}"
"""


def render_config() -> str:
    defaults = NodeSettings.model_fields
    values = {
        name: field.get_default(call_default_factory=True)
        for name, field in defaults.items()
        if name != "database_url"
    }
    return _TEMPLATE.format(**values)
