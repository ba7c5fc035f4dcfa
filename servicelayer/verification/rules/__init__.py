"""One module per family of rules; each rule is a function ``(EpochIndex) -> list[Finding]``."""
