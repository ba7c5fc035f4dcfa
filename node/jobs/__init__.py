"""Scheduled work of a running node (APScheduler)."""
