"""Governance: proposals, snapshot-weighted votes, delegation, freeze, timelock, execution."""

from __future__ import annotations

from dao_b import BALANCES, DAY, INFOHASH, A, B, C, D, Dao, E

from contracts.catalog import (
    ActionPublish,
    catalog_action_for,
    search,
)
from contracts.catalog import initial_state as empty_catalog
from contracts.catalog import transition as catalog_transition
from contracts.core import Asset, Context
from contracts.moderation import (
    ActionCancel,
    ActionDelegate,
    ActionExecute,
    ActionFinalize,
    ActionPropose,
    ActionTick,
    ActionUndelegate,
    ActionVote,
    EventChannelBanned,
    EventContentDelisted,
    EventMintApproved,
    EventParameterChanged,
    EventProposalDropped,
    EventProposalFinalised,
    ProposalKind,
    ProposalStatus,
    ReceiveBalanceSnapshot,
    participation,
)

VOTING = 3 * DAY  # default gov.voting_period_s
TIMELOCK = DAY  # default gov.timelock_s


def finalised(dao: Dao, pid: int) -> EventProposalFinalised:
    (event,) = [e for e in dao.do(ActionFinalize(pid)) if isinstance(e, EventProposalFinalised)]
    return event


def test_quorum_not_met_fails_even_with_unanimous_yes() -> None:
    dao = Dao()
    pid = dao.propose()
    dao.vote(pid, D, "yes")  # 50 of 1000 = 5 % < 10 % quorum
    dao.wait(VOTING)
    event = finalised(dao, pid)
    assert event.status == ProposalStatus.FAILED and not event.quorum_met
    assert dao.refused(ActionExecute(pid)) == "not_passed"


def test_majority_no_fails_and_abstain_counts_for_quorum_only() -> None:
    dao = Dao()
    pid = dao.propose()
    dao.vote(pid, A, "abstain")
    dao.vote(pid, C, "yes")
    dao.vote(pid, B, "no")
    dao.wait(VOTING)
    event = finalised(dao, pid)
    assert (event.yes, event.no, event.abstain) == (250, 300, 400)
    assert event.quorum_met and event.status == ProposalStatus.FAILED


def test_passed_delisting_waits_for_timelock_then_removes_content_from_search() -> None:
    catalog = catalog_transition(
        empty_catalog(), ActionPublish(INFOHASH, "Pirated film", ("film",), E), Context(1, 0)
    ).state
    dao = Dao()
    pid = dao.propose()
    dao.vote(pid, A, "yes")
    assert dao.refused(ActionFinalize(pid)) == "voting_not_ended"
    dao.wait(VOTING)
    assert finalised(dao, pid).status == ProposalStatus.PASSED
    dao.wait(TIMELOCK - 1)
    assert dao.refused(ActionExecute(pid)) == "timelock_active"
    dao.wait(1)
    events = dao.do(ActionExecute(pid))
    assert EventContentDelisted(INFOHASH, pid, final=False) in events
    assert dao.state.proposals[pid].status == ProposalStatus.EXECUTED
    assert dao.refused(ActionExecute(pid)) == "not_passed"
    assert search(catalog, "pirated").total == 1
    for event in events:
        action = catalog_action_for(event)
        if action is not None:
            catalog = catalog_transition(catalog, action, Context(1, dao.now)).state
    assert search(catalog, "pirated").total == 0


def test_vote_can_change_before_freeze_but_not_after() -> None:
    dao = Dao()
    pid = dao.propose()
    dao.vote(pid, A, "yes", nonce=1)
    dao.vote(pid, A, "no", nonce=2)  # changed, well before the freeze
    assert dao.refused(dao.vote_action(pid, A, "yes", nonce=2)) == "stale_nonce"
    dao.wait(VOTING - 3600)  # default gov.freeze_s: the last hour
    assert dao.refused(dao.vote_action(pid, A, "yes", nonce=3)) == "voting_frozen"
    dao.vote(pid, B, "yes")  # a first vote is still welcome during the freeze
    dao.wait(3600)
    assert dao.refused(dao.vote_action(pid, C, "yes")) == "voting_closed"
    event = finalised(dao, pid)
    assert (event.yes, event.no) == (300, 400)


def test_delegated_weight_follows_the_delegate_unless_the_delegator_votes() -> None:
    dao = Dao()
    dao.do(ActionDelegate(C, A, ledger=50))
    dao.do(ActionDelegate(D, A, ledger=60))
    pid = dao.propose(ledger=100)
    dao.vote(pid, A, "yes")
    dao.vote(pid, D, "no")  # D overrides its delegate for its own 50
    dao.wait(VOTING)
    event = finalised(dao, pid)
    assert (event.yes, event.no) == (650, 50)


def test_delegation_as_of_the_snapshot_ledger_counts_not_later_ones() -> None:
    dao = Dao()
    dao.do(ActionDelegate(C, A, ledger=50))
    dao.do(ActionUndelegate(C, ledger=90))
    pid = dao.propose(ledger=100)
    assert dao.refused(ActionDelegate(B, A, ledger=100)) == "stale_ledger"
    dao.do(ActionDelegate(B, A, ledger=101))  # after the snapshot: not for this proposal
    dao.vote(pid, A, "yes")
    dao.wait(VOTING)
    assert finalised(dao, pid).yes == 400


def test_snapshot_weights_count_even_if_balances_change_later() -> None:
    dao = Dao()
    first = dao.propose(ledger=100)
    # A sells everything before the next proposal: the balance index says so at ledger 200
    second = dao.propose(
        ProposalKind.BAN, target=E, balances=((B, 700), (C, 250), (D, 50)), ledger=200, by=B
    )
    dao.vote(first, A, "yes")
    assert dao.refused(dao.vote_action(second, A, "yes")) == "no_voting_power"
    dao.wait(VOTING)
    assert finalised(dao, first).yes == 400
    assert finalised(dao, second).total_supply == 1000


def test_cancel_by_proposer_only_and_only_while_voting() -> None:
    dao = Dao()
    pid = dao.propose(by=B)
    assert dao.refused(ActionCancel(pid, A)) == "not_proposer"
    dao.do(ActionCancel(pid, B))
    assert dao.state.proposals[pid].status == ProposalStatus.CANCELLED
    assert dao.refused(dao.vote_action(pid, A, "yes")) == "voting_closed"
    assert dao.refused(ActionFinalize(pid)) == "proposal_not_active"
    late = dao.propose(by=B)
    dao.wait(VOTING)
    assert dao.refused(ActionCancel(late, B)) == "voting_closed"


def test_parameter_change_executes_and_applies_to_new_proposals() -> None:
    dao = Dao()
    pid = dao.propose(ProposalKind.PARAM, target="gov.timelock_s", value=2 * DAY)
    dao.vote(pid, A, "yes")
    dao.wait(VOTING)
    dao.do(ActionTick())  # counted: passed, timelock starts
    assert dao.state.params["gov.timelock_s"] == DAY
    dao.wait(TIMELOCK)
    events = dao.do(ActionTick())
    assert EventParameterChanged("gov.timelock_s", 2 * DAY, pid) in events
    assert dao.state.params["gov.timelock_s"] == 2 * DAY
    assert dao.state.proposals[pid].status == ProposalStatus.EXECUTED


def test_incoherent_parameter_change_is_refused_when_proposed() -> None:
    dao = Dao()
    for target, value, code in (
        ("reward.ads_bps", 2000, "reward_split_exceeds_total"),
        ("gov.quorum_bps.appeal", 1000, "appeal_quorum_not_higher"),
        ("gov.quorum_bps.delist", 0, "parameter_out_of_bounds"),
        ("no.such.parameter", 1, "unknown_parameter"),
        ("gov.timelock_s", DAY, "no_change"),
    ):
        action = ActionPropose(A, ProposalKind.PARAM, 100, target, value)
        assert dao.refused(action) == code, target


def test_ban_and_mint_execute_into_events_for_other_contracts() -> None:
    dao = Dao()
    gov = Asset("ACE", B)
    ban = dao.propose(ProposalKind.BAN, target=E)
    mint = dao.propose(ProposalKind.MINT, target="", value=5_000, recipient=C, asset=gov)
    for pid in (ban, mint):
        dao.vote(pid, A, "yes")
        dao.vote(pid, B, "yes")
    dao.wait(VOTING)
    dao.do(ActionTick())
    dao.wait(TIMELOCK)
    events = dao.do(ActionTick())
    assert EventChannelBanned(E, ban) in events
    assert EventMintApproved(mint, gov, C, 5_000) in events


def test_duplicate_open_proposal_on_the_same_target_is_refused() -> None:
    dao = Dao()
    dao.propose()
    assert dao.refused(ActionPropose(B, ProposalKind.DELIST, 100, INFOHASH.upper())) == (
        "duplicate_proposal"
    )


def test_participation_counts_votes_on_proposals_closed_in_the_window() -> None:
    dao = Dao()
    first = dao.propose()
    second = dao.propose(ProposalKind.BAN, target=E)
    cancelled = dao.propose(ProposalKind.BAN, target=D, by=B)
    for pid in (first, second, cancelled):
        dao.vote(pid, A, "yes")
    dao.vote(first, B, "no")
    dao.do(ActionCancel(cancelled, B))
    start = dao.now
    dao.wait(VOTING)
    dao.do(ActionTick())
    assert participation(dao.state, start, dao.now + 1) == tuple(sorted(((A, 2), (B, 1))))
    assert participation(dao.state, dao.now + 1, dao.now + 2) == ()


def test_invalid_actions_are_refused_with_stable_codes_and_nothing_changes() -> None:
    dao = Dao()
    pid = dao.propose()
    pending = dao.state.next_id
    dao.do(ActionPropose(A, ProposalKind.BAN, 100, E))
    cases = {
        "invalid_account": ActionPropose("nobody", ProposalKind.DELIST, 100, "cd" * 20),
        "invalid_infohash": ActionPropose(A, ProposalKind.DELIST, 100, "zz"),
        "invalid_kind": ActionPropose(A, ProposalKind.APPEAL, 100, INFOHASH),
        "stale_ledger": ActionPropose(A, ProposalKind.DELIST, 99, "cd" * 20),
        "invalid_asset": ActionPropose(A, ProposalKind.MINT, 100, "", 5, C, None),
        "unknown_proposal": ActionFinalize(999),
        "snapshot_pending": dao.vote_action(pending, A, "yes"),
        "snapshot_already_recorded": ReceiveBalanceSnapshot(pid, 100, BALANCES),
        "snapshot_ledger_mismatch": ReceiveBalanceSnapshot(pending, 99, BALANCES),
        "duplicate_account": ReceiveBalanceSnapshot(pending, 100, ((A, 1), (A, 2))),
        "invalid_snapshot": ReceiveBalanceSnapshot(pending, 100, ((A, -1),)),
        "empty_snapshot": ReceiveBalanceSnapshot(pending, 100, ((A, 0),)),
        "invalid_choice": ActionVote(pid, A, "maybe", "", "00" * 32),  # type: ignore[arg-type]
        "invalid_message_hash": ActionVote(pid, A, "yes", "", "not-hex"),  # type: ignore[arg-type]
        "no_voting_power": dao.vote_action(pid, E, "yes"),
        "self_delegation": ActionDelegate(A, A, 500),
        "not_delegated": ActionUndelegate(A, 500),
    }
    for code, action in cases.items():
        assert dao.refused(action) == code, code


def test_timelock_runs_from_the_end_of_voting_not_from_a_late_count() -> None:
    dao = Dao()
    pid = dao.propose()
    dao.vote(pid, A, "yes")
    dao.wait(VOTING + TIMELOCK)  # nobody counted in time
    finalised(dao, pid)
    events = dao.do(ActionExecute(pid))
    assert EventContentDelisted(INFOHASH, pid, final=False) in events


def test_a_proposer_without_weight_at_the_snapshot_is_not_a_member() -> None:
    dao = Dao()
    outsider = dao.propose(by=E)  # E holds nothing at ledger 100
    assert dao.events[-1] == EventProposalDropped(outsider, "proposer_not_member")
    assert dao.state.proposals[outsider].status == ProposalStatus.FAILED
    assert dao.refused(dao.vote_action(outsider, A, "yes")) == "voting_closed"
    dao.do(ActionDelegate(A, E, ledger=150))  # delegated weight makes E a member
    member = dao.propose(ProposalKind.BAN, target=D, ledger=200, by=E)
    assert dao.state.proposals[member].status == ProposalStatus.ACTIVE


def test_a_proposer_below_the_threshold_at_its_index_weight_is_refused() -> None:
    dao = Dao()
    threshold = 1_000_000_000  # 100 units of voting weight
    pid = dao.propose(ProposalKind.PARAM, target="gov.proposal_threshold", value=threshold)
    dao.vote(pid, A, "yes")
    dao.vote(pid, B, "yes")
    dao.wait(VOTING + TIMELOCK)
    dao.do(ActionTick())
    assert dao.state.params["gov.proposal_threshold"] == threshold
    refused = ActionPropose(E, ProposalKind.BAN, 200, D, weight=threshold - 1)
    assert dao.refused(refused) == "below_proposal_threshold"
    assert dao.refused(ActionPropose(E, ProposalKind.BAN, 200, D, weight=-1)) == "invalid_weight"
    accepted = dao.state.next_id
    dao.do(ActionPropose(E, ProposalKind.BAN, 200, D, weight=threshold))
    assert dao.state.proposals[accepted].status == ProposalStatus.ACTIVE
