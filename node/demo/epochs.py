"""The demo's epochs as they settle: each printed with its verdicts (by reason, and whose
receipts they are) and its payouts; what was shown is kept for the closing summary and
the demo's report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
from rich import box
from rich.console import Console
from rich.table import Table

from node.cli.acedao.client import every_page
from node.demo import truth
from node.demo.wait import poll
from servicelayer.ledger.money import format_amount
from servicelayer.verification import tolerances

# How many later epochs judge a deferred verdict again (docs/verification.md); read from
# the verification's tolerances when they define it.
DEFERRAL_EPOCHS: int = getattr(tolerances, "DEFERRAL_EPOCHS", 3)


class Epochs:
    """Follows the node's epochs (``GET /v1/epochs``) and prints each once it is anchored."""

    def __init__(
        self, console: Console, http: httpx.Client, seconds: int, name_of: Callable[[str], str]
    ) -> None:
        self.console = console
        self.http = http
        self.seconds = seconds
        self.name_of = name_of
        self.shown: set[int] = set()
        self.judged: dict[str, truth.Judged] = {}  # by receipt id
        self.epochs: list[dict[str, Any]] = []  # as shown, with their verdict counts
        self.payouts: list[dict[str, Any]] = []
        self.last_payout: str | None = None

    def follow(self, first: int, last: int) -> None:
        """Show epochs ``first`` .. ``last`` as they are anchored, then the later ones
        until every deferred verdict shown is resolved."""
        self.console.print(
            "Each epoch's stored receipts (the latest of each stream and minute) by verdict "
            "and reasons, and whose they are: [bold]uma→vic[/bold] = bytes uma served vic "
            "(vic signed them, uma is paid), [bold]vic watched[/bold] = vic's viewing receipts."
        )
        poll(lambda: self.show_settled(first, last), 6 * self.seconds, f"epoch {last} to settle")
        self.wait_for_resolutions(first)

    def wait_for_resolutions(self, first: int) -> None:
        """A deferred verdict is judged again by the next DEFERRAL_EPOCHS epochs
        (docs/verification.md): show epochs until each is resolved or its bound is past."""
        pending = [j for j in self.judged.values() if j.final is None]
        if not pending:
            return
        bound = max(j.verdict.epoch for j in pending) + DEFERRAL_EPOCHS
        self.console.print(f"{len(pending)} deferred receipt(s): following the epochs to {bound}")

        def resolved() -> bool | None:
            self.show_settled(first, bound)
            unresolved = any(j.final is None for j in self.judged.values())
            return True if not unresolved or bound in self.shown else None

        epochs_left = bound + 3 - int(time.time()) // self.seconds  # its end, close, anchor
        try:
            poll(resolved, epochs_left * self.seconds, "the deferred verdicts")
        except TimeoutError as e:
            self.console.print(f"[red]{e}[/red]")

    def show_settled(self, first: int, last: int) -> bool | None:
        epochs = self.http.get("/v1/epochs", params={"limit": 50}).json()["epochs"]
        for e in sorted(epochs, key=lambda e: e["number"]):
            if e["number"] < first or e["number"] in self.shown or e["status"] != "settled":
                continue
            self.shown.add(e["number"])
            self.show_epoch(e)
        return True if last in self.shown else None

    def show_epoch(self, epoch: dict[str, Any]) -> None:
        n = epoch["number"]
        verdicts = every_page(self.http, f"/v1/epochs/{n}/verdicts", "verdicts")
        own = [self.judge(v) for v in verdicts]
        resolved = self.resolve_deferred(n)
        span = "-".join(time.strftime("%H:%M", time.localtime(epoch[k])) for k in ("start", "end"))
        self.console.print(
            f"[bold]epoch {n}[/bold] · {span} · {epoch['receipts']} receipts · root "
            f"{str(epoch['root'])[:16]}… anchored in ledger {epoch['anchor_ledger']}"
        )
        rows = truth.epoch_rows(own) + truth.resolution_rows(resolved)
        if rows:
            table = Table("verdict", "reasons", "n", "whose", box=box.SIMPLE_HEAD)
            for row in rows:
                table.add_row(
                    f"[{row.style}]{row.verdict}[/]", row.reasons, str(row.count), row.whose
                )
            self.console.print(table)
        self.epochs.append(
            {
                "number": n,
                "start": epoch["start"],
                "end": epoch["end"],
                "receipts": epoch["receipts"],
                "verdicts": len(verdicts),
                "resolved_here": sorted(j.receipt_id for j in resolved),
            }
        )
        payouts = every_page(self.http, f"/v1/epochs/{n}/payouts", "payouts")
        self.payouts += payouts
        if payouts:
            table = Table("payout", "kind", "for", "to", "XLM", "status", "transaction")
            for p in payouts:
                table.add_row(
                    p["id"],
                    p["kind"],
                    _what(p["reference"]),
                    self.name_of(p["account"]),
                    format_amount(p["amount"]),
                    p["status"],
                    (p["tx_hash"] or "")[:16],
                )
            self.console.print(table)
            self.last_payout = payouts[-1]["id"]

    def judge(self, verdict: dict[str, Any]) -> truth.Judged:
        """A verdict of the epoch's list, with whose receipt it is (the stored receipt)."""
        rid = verdict["receipt_id"]
        wire = self.http.get(f"/v1/receipts/{rid}").json()["receipt"]
        judged = truth.judged(verdict, wire, self.name_of)
        self.judged[rid] = judged
        return judged

    def resolve_deferred(self, epoch: int) -> list[truth.Judged]:
        """Earlier deferred verdicts that a later epoch, up to ``epoch``, has resolved."""
        found = []
        for rid, j in sorted(self.judged.items()):
            if j.final is not None or j.verdict.epoch >= epoch:
                continue
            view = self.http.get(f"/v1/receipts/{rid}").json().get("verification") or {}
            if view.get("resolution"):
                self.judged[rid] = replace(j, resolution=truth.outcome(view["resolution"]))
                found.append(self.judged[rid])
        return found


WHAT = {
    "ppv": "pay-per-view (net of the fee)",
    "billing": "per-minute viewing (net of the fee)",
    "bundle": "bundle split (net of the fee)",
    "plan": "subscription (net of the fee)",
    "renew": "renewal (net of the fee)",
    "rewards": "rewards (bytes served, views)",
    "appeal-bond": "appeal bond returned",
}


def _what(reference: str) -> str:
    prefix = reference.split(":", 1)[0]
    if prefix.startswith("rewards-"):
        prefix = "rewards"
    return WHAT.get(prefix, "refund" if "refund" in prefix else prefix)
