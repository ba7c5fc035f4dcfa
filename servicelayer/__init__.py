"""The core library of the Ace service-layer node (no web, CLI or scheduler code)."""
