"""Epochs: fixed-length windows of unix time, numbered from the unix epoch."""

from __future__ import annotations


def epoch_of(timestamp: int, epoch_seconds: int) -> int:
    return timestamp // epoch_seconds


def epoch_bounds(epoch: int, epoch_seconds: int) -> tuple[int, int]:
    """[start, end) of ``epoch`` in unix seconds."""
    return epoch * epoch_seconds, (epoch + 1) * epoch_seconds
