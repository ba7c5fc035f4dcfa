"""Trust lines, account flags, authorization, clawback."""

from __future__ import annotations

import pytest
from stellar_sdk import (
    AllowTrust,
    Asset,
    ChangeTrust,
    Clawback,
    Keypair,
    Payment,
    SetOptions,
    SetTrustLineFlags,
    TrustLineEntryFlag,
)
from stellar_sdk.operation.set_options import AuthorizationFlag as AF
from stellar_sdk.operation.set_trust_line_flags import TrustLineFlags as TF

from testnet.ledger import StandaloneLedger
from tests.ledger.helpers import (
    BASE_FEE,
    BASE_RESERVE,
    balance,
    issue,
    line_balance,
    make_funded_account,
    seq,
    submit,
    xlm,
)


def _line(ledger: StandaloneLedger, holder: Keypair, asset: Asset):  # type: ignore[no-untyped-def]
    return ledger.trustline(holder.public_key, f"{asset.code}:{asset.issuer}")


def test_change_trust_adds_a_sub_entry_and_raises_the_reserve(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd, "500")]).successful
    account = ledger.account(alice.public_key)
    line = _line(ledger, alice, usd)
    assert account is not None and account.num_sub_entries == 1
    assert line is not None and (line.balance, line.limit, line.authorized) == (0, xlm("500"), True)


def test_change_trust_without_the_reserve_is_low_reserve(ledger: StandaloneLedger) -> None:
    issuer = make_funded_account(ledger)
    alice = make_funded_account(ledger, "1.00002")  # 2 base reserves plus two fees
    result = submit(ledger, alice, [ChangeTrust(Asset("USD", issuer.public_key))])
    assert (result.tx_code, result.op_codes) == ("tx_failed", ("op_low_reserve",))
    assert balance(ledger, alice) == xlm("1.00002") - BASE_FEE


def test_change_trust_to_a_missing_issuer_is_no_issuer(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    result = submit(ledger, alice, [ChangeTrust(Asset("USD", Keypair.random().public_key))])
    assert result.op_codes == ("op_no_issuer",)


def test_trusting_oneself_or_lumens_is_malformed_and_rejected(ledger: StandaloneLedger) -> None:
    alice = make_funded_account(ledger)
    before = seq(ledger, alice)
    own = submit(ledger, alice, [ChangeTrust(Asset("USD", alice.public_key))])
    assert (own.applied, own.op_codes) == (False, ("op_malformed",))
    assert seq(ledger, alice) == before


def test_trust_line_limit_and_removal_rules(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "10")
    assert submit(ledger, alice, [ChangeTrust(usd, "9")]).op_codes == ("op_invalid_limit",)
    assert submit(ledger, alice, [ChangeTrust(usd, "0")]).op_codes == ("op_invalid_limit",)
    assert submit(ledger, alice, [Payment(issuer.public_key, usd, "10")]).successful
    assert submit(ledger, alice, [ChangeTrust(usd, "0")]).successful
    account = ledger.account(alice.public_key)
    assert _line(ledger, alice, usd) is None and account is not None
    assert account.num_sub_entries == 0


def test_issuer_authorizes_holders_with_set_trust_line_flags(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    assert submit(ledger, issuer, [SetOptions(set_flags=AF.AUTHORIZATION_REQUIRED)]).successful
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd)]).successful
    line = _line(ledger, alice, usd)
    assert line is not None and not line.authorized
    auth = SetTrustLineFlags(alice.public_key, usd, set_flags=TF.AUTHORIZED_FLAG)
    assert submit(ledger, issuer, [auth]).successful
    assert submit(ledger, issuer, [Payment(alice.public_key, usd, "7")]).successful
    assert line_balance(ledger, alice, usd) == xlm("7")


def test_revoking_needs_auth_revocable(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "1")
    revoke = SetTrustLineFlags(alice.public_key, usd, clear_flags=TF.AUTHORIZED_FLAG)
    assert submit(ledger, issuer, [revoke]).op_codes == ("op_cant_revoke",)
    assert submit(ledger, issuer, [SetOptions(set_flags=AF.AUTHORIZATION_REVOCABLE)]).successful
    assert submit(ledger, issuer, [revoke]).successful
    result = submit(ledger, alice, [Payment(issuer.public_key, usd, "1")])
    assert result.op_codes == ("op_src_not_authorized",)


def test_set_trust_line_flags_on_a_missing_line_and_by_a_non_issuer(
    ledger: StandaloneLedger,
) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    op = SetTrustLineFlags(alice.public_key, usd, set_flags=TF.AUTHORIZED_FLAG)
    assert submit(ledger, issuer, [op]).op_codes == ("op_no_trust",)
    stranger = make_funded_account(ledger)
    rejected = submit(ledger, stranger, [op])
    assert (rejected.applied, rejected.op_codes) == (False, ("op_malformed",))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # AllowTrust is deprecated
def test_allow_trust_authorizes_and_revokes(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    flags = AF.AUTHORIZATION_REQUIRED | AF.AUTHORIZATION_REVOCABLE
    assert submit(ledger, issuer, [SetOptions(set_flags=flags)]).successful
    usd = Asset("USD", issuer.public_key)
    assert submit(ledger, alice, [ChangeTrust(usd)]).successful
    allow = AllowTrust(alice.public_key, "USD", TrustLineEntryFlag.AUTHORIZED_FLAG)
    assert submit(ledger, issuer, [allow]).successful
    line = _line(ledger, alice, usd)
    assert line is not None and line.authorized
    deny = AllowTrust(alice.public_key, "USD", TrustLineEntryFlag.UNAUTHORIZED_FLAG)
    assert submit(ledger, issuer, [deny]).successful
    line = _line(ledger, alice, usd)
    assert line is not None and not line.authorized
    missing = AllowTrust(Keypair.random().public_key, "USD", TrustLineEntryFlag.AUTHORIZED_FLAG)
    assert submit(ledger, issuer, [missing]).op_codes == ("op_no_trust",)


def test_clawback_needs_revocable_and_takes_back_credit(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    lone = submit(ledger, issuer, [SetOptions(set_flags=AF.AUTHORIZATION_CLAWBACK_ENABLED)])
    assert lone.op_codes == ("op_auth_revocable_required",)
    flags = AF.AUTHORIZATION_CLAWBACK_ENABLED | AF.AUTHORIZATION_REVOCABLE
    assert submit(ledger, issuer, [SetOptions(set_flags=flags)]).successful
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "10")
    line = _line(ledger, alice, usd)
    assert line is not None and line.clawback_enabled
    too_much = submit(ledger, issuer, [Clawback(usd, alice.public_key, "11")])
    assert too_much.op_codes == ("op_underfunded",)
    assert submit(ledger, issuer, [Clawback(usd, alice.public_key, "4")]).successful
    assert line_balance(ledger, alice, usd) == xlm("6")


def test_clawback_on_a_line_without_the_flag(ledger: StandaloneLedger) -> None:
    issuer, alice = make_funded_account(ledger), make_funded_account(ledger)
    usd = Asset("USD", issuer.public_key)
    issue(ledger, issuer, alice, usd, "10")  # line created before clawback was enabled
    flags = AF.AUTHORIZATION_CLAWBACK_ENABLED | AF.AUTHORIZATION_REVOCABLE
    assert submit(ledger, issuer, [SetOptions(set_flags=flags)]).successful
    result = submit(ledger, issuer, [Clawback(usd, alice.public_key, "1")])
    assert result.op_codes == ("op_not_clawback_enabled",)
    assert line_balance(ledger, alice, usd) == xlm("10")


def test_immutable_account_cannot_change_flags(ledger: StandaloneLedger) -> None:
    issuer = make_funded_account(ledger)
    assert submit(ledger, issuer, [SetOptions(set_flags=AF.AUTHORIZATION_IMMUTABLE)]).successful
    result = submit(ledger, issuer, [SetOptions(set_flags=AF.AUTHORIZATION_REQUIRED)])
    assert result.op_codes == ("op_cant_change",)
    account = ledger.account(issuer.public_key)
    assert account is not None and account.flags == AF.AUTHORIZATION_IMMUTABLE


def test_signers_count_as_sub_entries_and_cap_at_twenty(ledger: StandaloneLedger) -> None:
    from stellar_sdk import Signer

    alice = make_funded_account(ledger, "100")
    keys = [Keypair.random() for _ in range(21)]
    ops = [SetOptions(signer=Signer.ed25519_public_key(k.public_key, 1)) for k in keys[:20]]
    assert submit(ledger, alice, ops).successful
    account = ledger.account(alice.public_key)
    assert account is not None and (len(account.signers), account.num_sub_entries) == (20, 20)
    extra = SetOptions(signer=Signer.ed25519_public_key(keys[20].public_key, 1))
    assert submit(ledger, alice, [extra]).op_codes == ("op_too_many_signers",)
    remove = SetOptions(signer=Signer.ed25519_public_key(keys[0].public_key, 0))
    assert submit(ledger, alice, [remove]).successful
    account = ledger.account(alice.public_key)
    assert account is not None and account.num_sub_entries == 19
    assert balance(ledger, alice) == xlm("100") - 22 * BASE_FEE
    assert balance(ledger, alice) > BASE_RESERVE * (2 + 19)
