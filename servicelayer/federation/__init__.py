"""Validators as peers (issue 11): the validator set and its leaders (``members``), and
the signed messages validators exchange (``messages``)."""
