"""The vote message members sign (SEP-53) is one fixed text format."""

from __future__ import annotations

import hashlib

import pytest
from dao_b import BALANCES, A, Dao
from stellar_sdk import Keypair

from contracts.moderation import (
    ActionPropose,
    ActionVote,
    ProposalKind,
    ReceiveBalanceSnapshot,
    VoteChoice,
    delegation_message,
    initial_state,
    reason_hash,
    sep53_digest,
    vote_digest_hex,
    vote_message,
)

PASSPHRASE = "Test SDF Network ; September 2015"


def test_vote_message_text_is_the_documented_format() -> None:
    reason = hashlib.sha256(b"spam").digest()
    expected = (
        "Ace DAO vote v1\n"
        "network: Test SDF Network ; September 2015\n"
        "proposal: 7\n"
        "choice: yes\n"
        f"reason-sha256: {reason.hex()}\n"
        "nonce: 3"
    ).encode()
    assert vote_message(PASSPHRASE, 7, VoteChoice.YES, reason_hash("spam"), 3) == expected
    assert vote_message(PASSPHRASE, 7, "abstain", None, 0).endswith(
        b"choice: abstain\nreason-sha256: -\nnonce: 0"
    )


def test_a_stellar_sdk_sep53_signature_verifies_against_our_digest() -> None:
    keypair = Keypair.from_raw_ed25519_seed(bytes(range(32)))
    message = vote_message(PASSPHRASE, 1, VoteChoice.NO, None, 1)
    signature = keypair.sign_message(message)
    keypair.verify(sep53_digest(message), signature)  # raises if it does not match


def test_messages_differ_by_network_so_a_vote_cannot_be_replayed_elsewhere() -> None:
    public = vote_message("Public Global Stellar Network ; September 2015", 1, "yes", None, 1)
    assert public != vote_message(PASSPHRASE, 1, "yes", None, 1)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("", 1, "yes", None, 0), id="empty-network"),
        pytest.param((PASSPHRASE, 0, "yes", None, 0), id="proposal-zero"),
        pytest.param((PASSPHRASE, 1, "maybe", None, 0), id="bad-choice"),
        pytest.param((PASSPHRASE, 1, "yes", b"short", 0), id="bad-reason-hash"),
        pytest.param((PASSPHRASE, 1, "yes", None, -1), id="negative-nonce"),
    ],
)
def test_malformed_message_inputs_are_refused(args: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        vote_message(*args)  # type: ignore[arg-type]


def test_delegation_message_names_the_delegate_or_a_revocation() -> None:
    delegate = Keypair.from_raw_ed25519_seed(bytes([9]) * 32).public_key
    assert (
        delegation_message(PASSPHRASE, delegate, 2)
        == (
            "Ace DAO delegation v1\n"
            "network: Test SDF Network ; September 2015\n"
            f"delegate: {delegate}\n"
            "nonce: 2"
        ).encode()
    )
    assert delegation_message(PASSPHRASE, "", 3).endswith(b"delegate: -\nnonce: 3")
    with pytest.raises(ValueError):
        delegation_message(PASSPHRASE, "not-an-account", 1)


def test_a_dao_bound_to_a_network_accepts_only_votes_matching_their_signed_message() -> None:
    dao = Dao(state=initial_state(network_passphrase=PASSPHRASE))
    dao.do(ActionPropose(A, ProposalKind.DELIST, 1, "ab" * 20))
    dao.do(ReceiveBalanceSnapshot(1, 1, BALANCES))
    signed = vote_digest_hex(PASSPHRASE, 1, "yes", "spam", 4)
    assert signed == sep53_digest(vote_message(PASSPHRASE, 1, "yes", reason_hash("spam"), 4)).hex()
    tampered = ActionVote(1, A, VoteChoice.NO, "spam", signed, 4)  # choice differs from signed
    assert dao.refused(tampered) == "message_mismatch"
    dao.do(ActionVote(1, A, VoteChoice.YES, "spam", signed, 4))
    assert dao.state.proposals[1].votes[A].message_hash == signed
