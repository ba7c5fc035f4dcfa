"""The contract runtime: runs pure contracts, journals every action, snapshots, replays."""
