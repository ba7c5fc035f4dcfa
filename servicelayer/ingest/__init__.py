"""Receipt ingestion: decode, check, verify, dedupe, store (docs/protocol.md, "Acceptance")."""

from servicelayer.ingest.checks import IngestPolicy
from servicelayer.ingest.service import ItemResult, ItemStatus, admit_batch, ingest_batch

__all__ = ["IngestPolicy", "ItemResult", "ItemStatus", "admit_batch", "ingest_batch"]
