"""The CLI's own check of stored votes (it does not trust the node)."""

from __future__ import annotations

import base64

from stellar_sdk import Keypair

from contracts.moderation import reason_hash, sep53_digest, vote_message
from node.cli.acedao.governance import vote_verifies


def test_the_cli_catches_a_vote_whose_fields_do_not_match_its_signature() -> None:
    passphrase, voter = "Standalone Network ; February 2017", Keypair.random()
    message = vote_message(passphrase, 7, "yes", reason_hash("fine"), 2)
    vote = {
        "voter": voter.public_key,
        "choice": "yes",
        "reason": "fine",
        "nonce": 2,
        "message_hash": sep53_digest(message).hex(),
        "signature": base64.b64encode(voter.sign_message(message)).decode(),
    }
    assert vote_verifies(passphrase, 7, vote)
    assert not vote_verifies(passphrase, 7, vote | {"choice": "no"})
    assert not vote_verifies(passphrase, 8, vote)
    assert not vote_verifies(passphrase, 7, vote | {"voter": Keypair.random().public_key})
    assert not vote_verifies(passphrase, 7, vote | {"signature": None})
