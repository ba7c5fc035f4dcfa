"""Who leads an epoch, and what a validator accepts from another."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from stellar_sdk import Keypair

from servicelayer.config import load_settings
from servicelayer.errors import ConfigError, InvalidInput, Unauthorized
from servicelayer.federation.members import FederationSettings, leader
from servicelayer.federation.messages import Message, open_message, seal

NETWORK = "Standalone Network ; February 2017"
KEYS = [Keypair.random() for _ in range(3)]
VALIDATORS = [k.public_key for k in KEYS]
KINDS = {"batch", "proposal"}


def test_every_validator_leads_in_turn_and_a_time_out_passes_the_lead_on() -> None:
    leaders = [leader(VALIDATORS, epoch) for epoch in range(6)]
    assert sorted(leaders[:3]) == sorted(VALIDATORS) and leaders[3:] == leaders[:3]
    assert leader(VALIDATORS, 7, 1) == leader(VALIDATORS, 8, 0) != leader(VALIDATORS, 7, 0)
    # every validator computes the same leader, whatever order it lists the set in
    assert leader(list(reversed(VALIDATORS)), 7) == leader(VALIDATORS, 7)


def test_a_member_is_a_stellar_account_with_an_http_url_listed_once() -> None:
    member = {"account": VALIDATORS[0], "url": "http://127.0.0.1:8700/"}
    assert FederationSettings(members=[member]).members[0].url == "http://127.0.0.1:8700"
    for bad in (
        [{"account": "GABC", "url": "http://127.0.0.1:8700"}],
        [{"account": VALIDATORS[0], "url": "ftp://x"}],
        [member, member],
    ):
        with pytest.raises(ValidationError):
            FederationSettings(members=bad)


def _wire(body: object = None, key: Keypair = KEYS[0], network: str = NETWORK) -> dict:
    message = Message(
        "batch", key.public_key, 42, 0, {"receipts": ["ab", "cd"]} if body is None else body
    )
    return seal(message, key, network)


def test_a_validators_signed_message_opens_as_sent() -> None:
    opened = open_message(_wire(), NETWORK, VALIDATORS, KINDS)
    assert opened == Message("batch", VALIDATORS[0], 42, 0, {"receipts": ["ab", "cd"]})


def test_a_changed_message_or_one_for_another_network_does_not_verify() -> None:
    tampered = _wire() | {"epoch": 43}
    with pytest.raises(Unauthorized, match="signature"):
        open_message(tampered, NETWORK, VALIDATORS, KINDS)
    with pytest.raises(Unauthorized, match="signature"):
        open_message(_wire(network="Test SDF Network ; September 2015"), NETWORK, VALIDATORS, KINDS)
    forged = _wire() | {"sender": VALIDATORS[1]}  # signed by another validator's name
    with pytest.raises(Unauthorized, match="signature"):
        open_message(forged, NETWORK, VALIDATORS, KINDS)


def test_a_message_from_outside_the_set_is_refused() -> None:
    stranger = Keypair.random()
    with pytest.raises(Unauthorized, match="not a validator"):
        open_message(_wire(key=stranger), NETWORK, VALIDATORS, KINDS)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "unknown"},
        {"epoch": -1},
        {"round": "0"},
        {"epoch": True},
        {"body": {"rate": 0.5}},  # no floats in what is signed
        {"extra": 1},
    ],
)
def test_a_malformed_message_is_refused_with_a_clear_error(change: dict) -> None:
    with pytest.raises(InvalidInput):
        open_message(_wire() | change, NETWORK, VALIDATORS, KINDS)


def test_a_message_that_is_not_an_object_is_refused() -> None:
    for wire in (None, [], "batch", 1):
        with pytest.raises(InvalidInput):
            open_message(wire, NETWORK, VALIDATORS, KINDS)


def test_a_member_must_be_one_of_the_treasurys_signers(tmp_path: Path) -> None:
    others = VALIDATORS[1:]
    (tmp_path / "acenode.toml").write_text(
        f'[stellar]\nvalidators = ["{VALIDATORS[0]}", "{others[0]}"]\nthreshold = 2\n'
        f'[federation]\nmembers = [{{ account = "{others[0]}", url = "http://127.0.0.1:8702" }}]\n'
    )
    assert load_settings(tmp_path).federation.members[0].account == others[0]
    (tmp_path / "acenode.toml").write_text(
        f'[federation]\nmembers = [{{ account = "{others[1]}", url = "http://127.0.0.1:8702" }}]\n'
    )
    with pytest.raises(ConfigError, match="not one of \\[stellar\\] validators"):
        load_settings(tmp_path)
