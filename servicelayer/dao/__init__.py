"""The DAO's Stellar accounts: keys in the data directory and their bootstrap."""
