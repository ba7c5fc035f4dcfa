"""Epochs: fixed-length windows of time, and the pipeline that settles each one."""

from servicelayer.epochs.clock import epoch_bounds, epoch_of

__all__ = ["epoch_bounds", "epoch_of"]
