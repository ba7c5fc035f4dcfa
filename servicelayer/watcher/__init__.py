"""The ledger watcher: follows the configured Stellar ledger through Horizon and feeds it to
the contracts (payments to the treasury, the governance token's balances, proposals'
balance snapshots). See ``service`` for one tick, ``memo`` for the memo protocol."""
