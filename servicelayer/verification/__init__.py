"""Verification of one epoch's receipts against swarm-probe evidence and reputation.

Pure and deterministic: ``verify_epoch(EpochInputs) -> EpochVerification`` gives every
receipt a verdict with a reason code and evidence references; ``payable_bandwidth`` caps
bandwidth rewards by what viewers paid. See docs/verification.md.
"""
