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

# SEP-10 sign-in: the home domain and web-auth domain in the API's challenges.
home_domain = "{home_domain}"

log_level = "{log_level}"

# What slow or numerous clients can hold (docs/operator.md). Environment: ACENODE_HTTP__<NAME>.
[http]
# header_timeout_seconds = 10.0        # a complete request head within this, else closed
# body_timeout_seconds = 30.0          # longest pause in a request body, else closed
# body_min_bytes_per_second = 8192     # slowest average body rate
# keep_alive_seconds = 5               # idle connections between requests are closed
# max_connections = 1024               # past it: 503 too_many_connections, closed
# max_connections_per_client = 128     # per client address; 0 = off (behind a proxy)
# drain_bytes = 67108864               # of a refused body, read so the client sees the answer

# The ledger watcher: follows [stellar] horizon_url, credits payments to the treasury
# (memo "sub", "prepaid" or a content id; docs/api.md) and indexes the governance token.
# Environment: ACENODE_WATCHER__<NAME>.
[watcher]
# enabled = true           # off for extra ingest-only processes (one watcher per database)
# interval_seconds = 5.0   # how often it reads the ledger
# max_pages = 10           # pages of 200 treasury payments read per tick at most

# Settlement on Stellar and the DAO accounts (`acenode dao bootstrap`, `acenode payouts`).
# Environment: ACENODE_STELLAR__<NAME>, e.g. ACENODE_STELLAR__HORIZON_URL.
[stellar]
# Horizon of the ledger: the embedded ledger (`acenode ledger serve --port 8701`) by
# default; the public testnet is "https://horizon-testnet.stellar.org" with
# network_passphrase = "Test SDF Network ; September 2015".
# horizon_url = "http://127.0.0.1:8701"
# The embedded ledger (default when horizon_url is on this machine): seconds between
# ledger closes, operations per ledger (as the public network's; more wait in its queue).
# embedded_ledger = true
# ledger_close_seconds = 5.0
# ledger_max_ops = 1000
# Friendbot funding new accounts (default: <horizon_url>/friendbot).
# friendbot_url = "https://friendbot.stellar.org"
# Or fund the DAO accounts from this account's secret key file (mode 0600).
# funding_key_file = "/path/to/funding.key"
# Validators' public keys; default: this node's account alone (1 of 1).
# validators = ["G...", "G...", "G..."]
# Validator signatures needed to move treasury funds (M of N).
# threshold = 1
# Validator secret key files this node signs with (default: the node key).
# signer_key_files = ["/path/to/node.key"]
# Channel accounts (transactions in flight at once), fee per operation in stroops,
# seconds to wait for a submission before asking the ledger what happened.
# channels = 4
# base_fee = 100
# submit_timeout = 30.0
# Most stroops per operation this node pays, from the node key's own account (fund it
# with some XLM), to fee-bump a signed transaction a busy ledger refuses; 0: never.
# fee_bump_max = 10000

# The governance job: counts ended votes, carries out due decisions (delistings, bans,
# parameter changes) and mints what the DAO voted (docs/operator.md).
[governance]
# enabled = true
# interval_seconds = 60

# Rate limits of the REST API (docs/api.md, Limits): past one, 429 with Retry-After.
# Rates: "10/minute", "100 per hour", several with ";" ("5/second; 100/minute"), "" = none.
# Environment: ACENODE_LIMITS__<NAME>, e.g. ACENODE_LIMITS__WRITES_PER_ACCOUNT="60/minute".
[limits]
# enabled = true
# sign_in_per_address = "120/minute"         # GET and POST /v1/auth
# failed_sign_in_per_address = "10/minute"   # refused sign-ins, then 429
# failed_sign_in_per_account = "20/minute"
# writes_per_account = "120/minute"          # every authenticated write
# writes_per_address = "600/minute"
# ingest_per_address = "12000/minute"        # POST /v1/receipts and /v1/registrations
# pages_per_address = "600/minute"           # pages of an epoch's verdicts and payouts
# Counters per process in memory; "redis://host:6379" shares them between processes
# (needs the redis package). Strategy: moving-window, fixed-window, sliding-window-counter.
# storage_uri = "memory://"
# strategy = "moving-window"
# Behind a reverse proxy every request comes from the proxy's address: list the proxies
# whose X-Forwarded-For names the real client (uvicorn's forwarded_allow_ips).
# trusted_proxies = ["127.0.0.1"]

# The other validators (docs/federation.md): each one's account (one of [stellar]
# validators) and its node's API URL; the seconds a leader has per round; how long to wait
# for another validator's answer; how often to pull their sealed batches of receipts. With
# members, this node signs only with its own key.
[federation]
# members = [{{ account = "G...", url = "http://validator-2:8700" }}]
# round_seconds = 60.0
# request_timeout_seconds = 10.0
# relay_seconds = 2.0

# What every validator of this network configures identically, before the first epoch.
[genesis]
# DAO parameters in force until the DAO votes to change them (defaults and bounds:
# docs/contracts/moderation.md), e.g. a test network's short votes:
# dao_params = {{ "gov.voting_period_s" = 600, "gov.freeze_s" = 60 }}
# The governance token issued before the first epoch (a federation's validators must all
# start from it to govern; docs/operator.md), stroops:
# [genesis.governance]
# code = "GOV"
# issuer = "G..."
# distribution = "G..."
# cap = 10000000000
# issued = 10000000000
"""


def render_config() -> str:
    defaults = NodeSettings.model_fields
    values = {
        name: field.get_default(call_default_factory=True)
        for name, field in defaults.items()
        if name != "database_url"
    }
    return _TEMPLATE.format(**values)
