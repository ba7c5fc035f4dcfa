"""Appeals: a bonded re-vote with a higher quorum; the content is hidden meanwhile."""

from __future__ import annotations

from dao_b import BALANCES, DAY, INFOHASH, A, B, C, D, Dao, E

from contracts.catalog import ActionPublish, ItemStatus, catalog_action_for, search
from contracts.catalog import initial_state as empty_catalog
from contracts.catalog import transition as catalog_transition
from contracts.common import SendPayout
from contracts.core import NATIVE, Asset, Context
from contracts.moderation import (
    ActionAppeal,
    ActionCancel,
    ActionExecute,
    ActionFinalize,
    EventBondForfeited,
    EventContentDelisted,
    EventContentHidden,
    EventContentRelisted,
    ProposalKind,
    ProposalStatus,
    ReceiveBalanceSnapshot,
)

BOND = 1_000_000_000  # default gov.appeal_bond


def delisted(dao: Dao) -> int:
    pid = dao.propose()
    dao.vote(pid, A, "yes")
    dao.wait(3 * DAY)
    dao.do(ActionFinalize(pid))
    dao.wait(DAY)
    dao.do(ActionExecute(pid))
    return pid


def file_appeal(
    dao: Dao,
    pid: int,
    ref: str = "tx1",
    amount: int = BOND,
    balances: tuple[tuple[str, int], ...] = BALANCES,
) -> int:
    appeal_id = dao.state.next_id
    events = dao.do(ActionAppeal(pid, E, 300, NATIVE, amount, ref))
    assert EventContentHidden(INFOHASH, appeal_id) in events
    dao.do(ReceiveBalanceSnapshot(appeal_id, 300, balances))
    return appeal_id


def test_successful_appeal_relists_the_content_and_returns_the_bond() -> None:
    dao = Dao()
    appeal = file_appeal(dao, delisted(dao))
    assert dao.state.proposals[appeal].kind == ProposalKind.APPEAL
    dao.vote(appeal, B, "yes")
    dao.vote(appeal, D, "no")
    dao.wait(3 * DAY)
    events = dao.do(ActionFinalize(appeal))  # no timelock for an appeal
    assert EventContentRelisted(INFOHASH, appeal) in events
    assert SendPayout(E, NATIVE, BOND, f"appeal-bond-{appeal}") in events
    assert dao.state.proposals[appeal].status == ProposalStatus.EXECUTED


def test_appeal_needs_the_higher_quorum_and_a_failed_one_forfeits_the_bond() -> None:
    dao = Dao()
    balances = ((A, 400), (B, 300), (C, 150), (D, 150))
    appeal = file_appeal(dao, delisted(dao), amount=BOND + 5, balances=balances)
    dao.vote(appeal, C, "yes")  # 15 % turnout: enough for a delisting (10 %), not an appeal (25 %)
    dao.wait(3 * DAY)
    events = dao.do(ActionFinalize(appeal))
    assert EventContentDelisted(INFOHASH, appeal, final=True) in events
    assert EventBondForfeited(appeal, NATIVE, BOND + 5, "tx1") in events
    assert not any(isinstance(e, SendPayout) for e in events)
    assert dao.state.proposals[appeal].status == ProposalStatus.FAILED


def test_appeal_rules_bond_window_and_one_appeal_per_delisting() -> None:
    dao = Dao()
    pid = delisted(dao)
    assert dao.refused(ActionAppeal(pid, E, 300, NATIVE, BOND - 1, "tx1")) == "bond_too_small"
    wrong = Asset("USD", A)
    assert dao.refused(ActionAppeal(pid, E, 300, wrong, BOND, "tx1")) == "wrong_bond_asset"
    appeal = file_appeal(dao, pid)
    assert dao.refused(ActionAppeal(pid, D, 300, NATIVE, BOND, "tx2")) == "already_appealed"
    assert dao.refused(ActionCancel(appeal, E)) == "appeal_not_cancellable"
    other = Dao()
    late = delisted(other)
    other.wait(7 * DAY + 1)  # default gov.appeal_window_s
    assert other.refused(ActionAppeal(late, E, 300, NATIVE, BOND, "tx9")) == (
        "appeal_window_closed"
    )
    not_delisting = other.propose(ProposalKind.BAN, target=E, ledger=400)
    assert other.refused(ActionAppeal(not_delisting, E, 400, NATIVE, BOND, "tx8")) == (
        "not_appealable"
    )


def test_one_bond_payment_cannot_back_two_appeals() -> None:
    dao = Dao()
    file_appeal(dao, delisted(dao), ref="same-tx")
    second = dao.propose(target="cd" * 20, ledger=400)
    dao.vote(second, A, "yes")
    dao.wait(3 * DAY)
    dao.do(ActionFinalize(second))
    dao.wait(DAY)
    dao.do(ActionExecute(second))
    code = dao.refused(ActionAppeal(second, E, 400, NATIVE, BOND, "same-tx"))
    assert code == "duplicate_bond_payment"


def test_catalog_follows_the_appeal_hidden_then_listed_again() -> None:
    catalog = catalog_transition(
        empty_catalog(), ActionPublish(INFOHASH, "Disputed film", (), E), Context(1, 0)
    ).state
    dao = Dao()

    def feed() -> None:
        nonlocal catalog
        for event in dao.events:
            action = catalog_action_for(event)
            if action is not None:
                catalog = catalog_transition(catalog, action, Context(1, dao.now)).state
        dao.events.clear()

    pid = delisted(dao)
    feed()
    assert catalog.items[INFOHASH].status == ItemStatus.DELISTED
    appeal = file_appeal(dao, pid)
    feed()
    assert catalog.items[INFOHASH].status == ItemStatus.HIDDEN
    assert search(catalog, "disputed").total == 0
    dao.vote(appeal, A, "yes")
    dao.wait(3 * DAY)
    dao.do(ActionFinalize(appeal))
    feed()
    assert catalog.items[INFOHASH].status == ItemStatus.LISTED
    assert search(catalog, "disputed").total == 1
