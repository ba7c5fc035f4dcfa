"""Every tolerance the verification rules use, as named integer constants.

Ratios are parts per million (``PPM == 1_000_000`` means 1.0). docs/verification.md
explains where each value comes from; change them there and here together.
"""

from __future__ import annotations

PPM = 1_000_000
"""A weight or ratio of exactly one, in parts per million."""

WINDOW_SECONDS = 60
"""Canonical receipt window length; ``window_start`` is a multiple of it."""

# --- presence (uploader / downloader seen by a probe) -------------------------------
PRESENCE_SLACK_SECONDS = 30
"""A peer counts as present in a window if its seen interval comes within this much of it."""

MAX_HASH_FAILURES = 2
"""Pieces from one peer that may fail the hash check in one probe before its service is
rejected (libtorrent may blame an innocent peer that contributed blocks to a bad piece)."""

# --- capacity --------------------------------------------------------------------------
UPLOAD_SLOTS = 8
"""libtorrent's default ``unchoke_slots_limit``: the probe gets about one slot of the
uploader's capacity, so the capacity estimate is the probe-measured rate times this."""

CAPACITY_MIN_SAMPLE_BYTES = 512 * 1024
"""A rate is a measure of the uploader's capacity only when the probe downloaded at least
this much from it: below, the rate is the probe's own demand (it fetches a few sampled
pieces), not what the uploader can serve. In the bench's real swarms (seed 3) an origin
served the probe 4 pieces, 64 KiB in 70 s (1 KB/s), while it served its five viewers
27 KB/s: 'capacity' at 8 slots was a third of what it really served, and ten honest
receipts lost 1.4 % of the honest bytes."""

CAPACITY_TOLERANCE_PPM = 1_250_000
"""Claimed upload in a window may exceed the capacity estimate by 25 % (rate noise)."""

CAPACITY_REJECT_RATIO_PPM = 2_000_000
"""Above twice the tolerated capacity the claims are rejected instead of scaled down."""

MIN_MEASURE_SECONDS = 10
"""A probe rate measurement shorter than this is not used as a capacity estimate."""

COVER_EDGE_SECONDS = 5
"""A probe *covers* a claim's period (and can find a peer absent there) only if it was
connected to the swarm through the whole period, but for this many seconds at each edge
(the probe's first connection takes a moment) and between two of its connections. A
probe that overlaps the period less than that can show a peer present, never absent."""

UPLOADER_WATCH_SECONDS = 10
"""A probe that ran through a claim's period and saw its uploader there this long knows
when the claimed bytes could have moved; a downloader it never saw then is absent
(rules/presence.py)."""

# --- downloader bounds (bitfield growth, stream bitrate) -------------------------------
BITFIELD_TOLERANCE_PPM = 1_100_000
"""Received bytes in a window may exceed the bitfield growth times the piece size by 10 %."""

BITFIELD_SLACK_PIECES = 4
"""Pieces in flight at the window edges (requested from several peers at once)."""

HELD_CLOCK_SLACK_SECONDS = 5
"""A window's receipts are compared with the pieces the downloader held this long after
the window's end: 2 s for clocks a little apart (as VIEW_CLOCK_SLACK_SECONDS), and 3 s
for the bytes in flight. A downloader counts a block when it arrives, but holds its piece
only once every block of it arrived and passed the hash check, and libtorrent keeps
``request_queue_time`` (3 s) of its download rate requested at once, spread over many
pieces: with 2 s a real leecher at 190 KiB/s with 32 KiB pieces was cut 1.9 %
(testnet/fraud_run.py, one run in a few). Every second more lets a downloader sign for
the bytes it gets in it before it has them (counted once per session: the bound is on
cumulative totals). A window's probe watches 10 s past the window's end."""
SESSION_SLACK_PIECES = MAX_HASH_FAILURES + 2
"""Pieces one session may receive from one source beyond the whole content: pieces sent
again after failing the hash check, and blocks at the edges of the receipts' counters."""
BITRATE_TOLERANCE_PPM = 1_300_000
"""A trusted viewer may receive up to 1.3 x the stream bitrate per window (catch-up,
jitter). The 0.3 above 1.0 is scaled by the signer's reputation weight, so a downloader
caught signing for bytes it never got is held to exactly the bitrate."""

PREBUFFER_SECONDS = 30
"""A session starting in the window may fetch this many extra seconds of stream (also
scaled by the signer's reputation weight)."""

# --- viewing time -----------------------------------------------------------------------
VIEW_CLOCK_SLACK_SECONDS = 2
"""Clock skew allowed between the viewer's counter and the window boundaries."""

MAX_CONCURRENT_SESSIONS = 3
"""A viewer's overlapping sessions may sum to at most this many times wall-clock time."""

VIEW_BYTES_TOLERANCE_PPM = 950_000
"""Watched seconds x bitrate must be backed by at least 95 % of that in received bytes."""

VIEW_BYTES_SLACK_SECONDS = 15
"""Seconds of viewing beyond what the received bytes back (a piece played as it arrives,
receipts signed a moment apart), for a viewer that received some bytes of the content;
one that received none backs no viewing at all."""

VIEW_CARRY_SECONDS = 24 * 3600
"""How far back the bytes a viewer received (and the seconds it watched) still back its
playback: a video downloaded quickly is watched for a long time after."""

WATCH_BYTES_TOLERANCE_PPM = 1_300_000
"""Bytes a viewer receives for a swarm in an epoch may exceed its watched seconds x the
bitrate by 30 % (buffering, seeking, re-requests)."""

WATCH_BYTES_SLACK_SECONDS = 120
"""Plus this many seconds of stream per epoch (prebuffer, a session carried over)."""

# --- graph rules ------------------------------------------------------------------------
CLOSED_CLUSTER_MAX_EXTERNAL_PPM = 50_000
"""A strongly connected group whose traffic with outsiders (both directions) is under 5 %
of what it claims to serve itself is a closed (self-dealing) cluster."""

# --- reputation -------------------------------------------------------------------------
HISTORY_LEN = 32
"""Probe outcomes kept per account (newest last)."""

VETTING_PASSES = 2
"""Passed probes before an account counts as vetted (no longer a newcomer)."""

DEFERRAL_EPOCHS = 3
"""A claim deferred in epoch E (unsampled, its uploader not vetted yet nor seen serving) is
judged again by each of the next epochs E+1 .. E+DEFERRAL_EPOCHS with their updated
reputations; the last of them rejects it (``deferred_expired``) if it is still undecided."""

FORGIVEN_FAILS = 1
"""Failures in the history that are forgiven outright: one probe miss (tracker, NAT,
connection limit) must not cost an honest peer with a short history its weight."""

TOLERATED_FAIL_PPM = 100_000
"""Share of unforgiven failures in the history that still earns full weight."""

ZERO_WEIGHT_FAIL_PPM = 300_000
"""Failure share at which an account's unsampled claims weigh nothing."""

RECENT_FAILS_ZEROING = 2
"""This many failures within the current epoch zero the account's unsampled weight."""
