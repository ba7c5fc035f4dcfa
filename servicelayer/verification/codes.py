"""Stable verdict and reason codes shown to peers."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DOWN_WEIGHTED = "down_weighted"
    DEFERRED = "deferred"


class ReasonCode(StrEnum):
    """Stable machine-readable reasons; never renumber or reuse one."""

    WINDOW_OUTSIDE_EPOCH = "window_outside_epoch"
    WINDOW_MISALIGNED = "window_misaligned"
    CUMULATIVE_INCONSISTENT = "cumulative_inconsistent"
    SELF_SERVICE = "self_service"
    DUPLICATE_SESSION = "duplicate_session"
    UPLOADER_ABSENT = "uploader_absent"
    UPLOADER_UNRESPONSIVE = "uploader_unresponsive"
    UPLOADER_CORRUPT = "uploader_corrupt"
    DOWNLOADER_ABSENT = "downloader_absent"
    RATE_ABOVE_CAPACITY = "rate_above_capacity"
    EXCEEDS_BITFIELD_GROWTH = "exceeds_bitfield_growth"
    EXCEEDS_STREAM_BITRATE = "exceeds_stream_bitrate"
    VIEWING_EXCEEDS_WALLCLOCK = "viewing_exceeds_wallclock"
    VIEWING_OVER_CONCURRENCY = "viewing_over_concurrency"
    VIEWING_NOT_BACKED_BY_BYTES = "viewing_not_backed_by_bytes"
    BYTES_NOT_WATCHED = "bytes_not_watched"
    CLOSED_CLUSTER = "closed_cluster"
    SHARED_ENDPOINT = "shared_endpoint"
    CAUGHT_IN_SWARM = "caught_in_swarm"
    UNVETTED_ACCOUNT = "unvetted_account"
    LOW_REPUTATION = "low_reputation"
    DEFERRED_EXPIRED = "deferred_expired"
    EXCEEDS_CONTENT_SIZE = "exceeds_content_size"
    EXCEEDS_PIECES_HELD = "exceeds_pieces_held"
    # the stream rules, applied when the epoch closes (servicelayer.epochs.sealing)
    SESSION_MISMATCH = "session_mismatch"
    STALE_SEQUENCE = "stale_sequence"
    COUNTER_REGRESSED = "counter_regressed"
    IMPLAUSIBLE_RATE = "implausible_rate"
