"""Settlement on Stellar: payout plans become M-of-N signed treasury transactions."""
