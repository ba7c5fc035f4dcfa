"""Horizon route groups; each module has ``register(app, ctx)``."""
