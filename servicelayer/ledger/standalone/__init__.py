"""The embedded standalone Stellar ledger (one node, Horizon-compatible records)."""

from servicelayer.ledger.standalone.ledger import DEFAULT_PASSPHRASE, StandaloneLedger
from servicelayer.ledger.standalone.submission import SubmissionResult, SubmissionStatus

__all__ = ["DEFAULT_PASSPHRASE", "StandaloneLedger", "SubmissionResult", "SubmissionStatus"]
