"""The node's one edge to Stellar: the Horizon adapter (``horizon``, its HTTP clients in
``http``, validated records in ``records``), money and assets (``money``), result codes
(``codes``), envelopes (``envelope``) and exactly-once submission (``once``). The
embedded standalone ledger the node starts as its default network lives beside the local
network it serves, in ``testnet.ledger``."""
