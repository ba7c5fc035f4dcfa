"""``acenode demo``: a node and a few peer processes on this machine."""
