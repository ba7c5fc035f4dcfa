"""The node's edge to Stellar: money and assets (``money``), and the embedded standalone
ledger (``standalone``) the node starts as its default network."""
