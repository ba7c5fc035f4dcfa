"""``acenode payouts send FILE.csv | status [PLAN]``: settle payout plans on Stellar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from node import settlement as wiring
from node.cli.common import DataDir, JsonFlag, cli_errors, console, print_json
from servicelayer.config import load_settings
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.ledger.money import format_amount
from servicelayer.settlement.chunking import MAX_OPS, check_chunk_size
from servicelayer.settlement.lock import settlement_lock
from servicelayer.settlement.plan import parse_csv
from servicelayer.settlement.records import PlanSummary
from servicelayer.settlement.status import PayoutStatus, PlanStatus
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database

payouts_app = typer.Typer(help="Pay out from the DAO treasury on Stellar.", no_args_is_help=True)
_SETTLED = (PayoutStatus.PAID, PayoutStatus.PAID_AS_CLAIMABLE_BALANCE, PayoutStatus.FAILED)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[claimable]} claimable, {task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@payouts_app.command("send")
def send(
    file: Annotated[Path, typer.Argument(help="CSV with columns account,asset,amount[,reference]")],
    data_dir: DataDir = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, max=MAX_OPS, help="Payouts per transaction")
    ] = MAX_OPS,
    json_out: JsonFlag = False,
) -> None:
    """Settle FILE; run it again after an interruption to finish without paying twice."""
    with cli_errors():
        settings = load_settings(data_dir)
        plan = parse_csv(_read(file))  # every row checked before anything is stored
        check_chunk_size(chunk_size)
        bar = _progress()
        task = bar.add_task("paying", total=len(plan.payouts), claimable=0, failed=0)
        advance = _advancer(bar, task)
        with (
            wiring.settlement(settings, advance) as service,
            settlement_lock(service.store.db),
        ):
            created = service.prepare(plan, source=file.name, chunk_size=chunk_size)
            before = service.store.summary(plan.id)
            done = sum(before.counts.get(s, 0) for s in _SETTLED[:2])
            if not json_out:
                verb = "new plan" if created else "resuming plan"
                console.print(f"{verb} [bold]{plan.id}[/bold]: {len(plan.payouts)} payouts")
                bar.start()
            bar.update(task, completed=done)
            try:
                summary = service.settle(plan.id)
            finally:
                bar.stop()
    _report(summary, json_out)
    if summary.status != PlanStatus.PAID:
        raise typer.Exit(1)


def _advancer(bar: Progress, task: TaskID) -> Callable[[PayoutStatus, int], None]:
    """The settlement's progress callback: moves the bar and counts the outcomes."""
    counts = dict.fromkeys(_SETTLED, 0)

    def advance(status: PayoutStatus, n: int) -> None:
        counts[status] += n
        bar.update(
            task,
            advance=n,
            claimable=counts[PayoutStatus.PAID_AS_CLAIMABLE_BALANCE],
            failed=counts[PayoutStatus.FAILED],
        )

    return advance


def _summary_dict(summary: PlanSummary) -> dict[str, Any]:
    return {
        "plan": summary.id,
        "status": summary.status.value,
        "source": summary.source,
        "treasury": summary.treasury,
        "payouts": summary.payout_count,
        "counts": {s.value: n for s, n in sorted(summary.counts.items())},
        "totals": {asset: format_amount(n) for asset, n in sorted(summary.totals.items())},
        "created_at": summary.created_at,
    }


def _report(summary: PlanSummary, json_out: bool) -> None:
    if json_out:
        print_json(_summary_dict(summary))
        return
    counts = ", ".join(f"{n} {s.value}" for s, n in sorted(summary.counts.items()))
    console.print(f"plan {summary.id}: [bold]{summary.status.value}[/bold] ({counts})")


def _find_plan(store: SettlementStore, prefix: str) -> str:
    matches = [p for p in store.plan_ids() if p.startswith(prefix.lower())]
    if len(matches) != 1:
        raise NotFound(f"{'no' if not matches else 'more than one'} plan matches {prefix!r}")
    return matches[0]


@payouts_app.command("status")
def status(
    plan: Annotated[str | None, typer.Argument(help="Plan id (or a unique prefix)")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Plans, or one plan's transactions with links to the ledger."""
    with cli_errors():
        settings = load_settings(data_dir)
        db = Database(settings.resolved_database_url())
        try:
            db.upgrade()
            store = SettlementStore(db)
            if plan is None:
                summaries = [store.summary(p) for p in store.plan_ids()]
                _plans(summaries, json_out)
                return
            plan_id = _find_plan(store, plan)
            _transactions(store, plan_id, settings.stellar.horizon_url, json_out)
        finally:
            db.dispose()


def _plans(summaries: list[PlanSummary], json_out: bool) -> None:
    if json_out:
        print_json({"plans": [_summary_dict(s) for s in summaries]})
        return
    table = Table(title="Payout plans")
    for column in ("plan", "source", "payouts", "status", "paid", "claimable", "failed"):
        table.add_column(column)
    for s in summaries:
        table.add_row(
            s.id[:16],
            s.source,
            str(s.payout_count),
            s.status.value,
            *(str(s.counts.get(st, 0)) for st in _SETTLED),
        )
    console.print(table)


def _transactions(store: SettlementStore, plan_id: str, horizon_url: str, json_out: bool) -> None:
    summary = store.summary(plan_id)
    rows = [
        {
            "chunk": e.chunk_index,
            "attempt": e.attempt,
            "hash": e.hash,
            "status": e.status.value,
            "channel": e.channel,
            "sequence": e.sequence,
            "ledger": e.ledger,
            "supersedes": e.supersedes,
            "codes": ",".join(e.op_codes) or e.tx_code,
            "url": f"{horizon_url}/transactions/{e.hash}",
        }
        for e in store.transactions(plan_id)
    ]
    if json_out:
        print_json({**_summary_dict(summary), "transactions": rows})
        return
    _report(summary, False)
    table = Table(title=f"Transactions of plan {plan_id[:16]}")
    for column in ("chunk", "try", "status", "ledger", "why", "link"):
        table.add_column(column)
    for r in rows:
        codes = sorted(set(str(r["codes"] or "").split(",")) - {"", "op_success"})
        table.add_row(
            str(r["chunk"]),
            str(r["attempt"]),
            str(r["status"]),
            str(r["ledger"] or ""),
            " ".join(codes),
            str(r["url"]),
        )
    console.print(table)
