"""What the node decided about the demo's receipts, by whom they are: the per-epoch verdict
table, the closing summary by actor, and the structured result the demo's test reads.

Pure: the runner fetches the node's stored verdicts (``GET /v1/epochs/{n}/verdicts``) and
each judged receipt (``GET /v1/receipts/{id}``) and passes them in. Verdict values are
read as data, so any value the node stores (accepted, down_weighted, rejected, deferred,
...) is shown and counted; what is *paid* is read from the weight, never from the name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from servicelayer.ledger.money import format_amount

FULL_PPM = 1_000_000
DEFERRED = "deferred"


@dataclass(frozen=True)
class Outcome:
    """A verdict, or a deferred verdict's later resolution (``epoch``: where it counts)."""

    epoch: int
    verdict: str
    weight_ppm: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Judged:
    """One stored receipt (the latest of its stream and window) and what was decided."""

    receipt_id: str
    kind: str  # bandwidth, viewing, cdn
    signer: str  # the actor's name (or a short account)
    payee: str | None  # the uploader a bandwidth receipt pays
    verdict: Outcome  # as stored for the receipt's epoch
    resolution: Outcome | None  # a deferred verdict's resolution, once a later epoch made it

    @property
    def final(self) -> Outcome | None:
        """What counts in the end; None while a deferred verdict is unresolved."""
        if self.verdict.verdict != DEFERRED:
            return self.verdict
        return self.resolution

    @property
    def whose(self) -> str:
        if self.kind == "viewing":
            return f"{self.signer} watched"
        if self.kind == "bandwidth" and self.payee:
            return f"{self.payee}→{self.signer}"  # bytes the uploader served the signer
        return f"{self.signer} {self.kind}"

    def to_json(self) -> dict[str, Any]:
        final = self.final
        return asdict(self) | {"final": None if final is None else asdict(final)}


def outcome(view: Mapping[str, Any]) -> Outcome:
    """From a verdict or a resolution as the API gives it."""
    return Outcome(
        int(view["epoch"]),
        str(view["verdict"]),
        int(view["weight_ppm"]),
        tuple(view.get("reasons") or ()),
    )


def judged(
    verdict: Mapping[str, Any], wire: Mapping[str, Any], name: Callable[[str], str]
) -> Judged:
    """From one verdict of the epoch's verdict list and the receipt's wire form."""
    resolution = verdict.get("resolution")
    payee = wire.get("uploader")
    return Judged(
        str(verdict["receipt_id"]),
        str(wire["kind"]),
        name(str(wire["signer"])),
        None if payee is None else name(str(payee)),
        outcome(verdict),
        None if not resolution else outcome(resolution),
    )


# -- the per-epoch table -----------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    verdict: str
    reasons: str
    count: int
    whose: str  # "uma→vic 2 · vic watched 1"
    style: str  # green: paid in full, red: nothing, yellow: in part, cyan: deferred


def _whose(items: Iterable[Judged]) -> str:
    counts = Counter(j.whose for j in items)
    return " · ".join(f"{who} {n}" for who, n in sorted(counts.items()))


def _reasons(o: Outcome) -> str:
    return " ".join(o.reasons) or "—"


def _style(outcomes: list[Outcome]) -> str:
    if any(o.verdict == DEFERRED for o in outcomes):
        return "cyan"
    if all(o.weight_ppm == FULL_PPM for o in outcomes):
        return "green"
    return "red" if all(o.weight_ppm == 0 for o in outcomes) else "yellow"


def _rows(groups: dict[tuple[str, str], list[tuple[Judged, Outcome]]]) -> list[Row]:
    return [
        Row(v, r, len(items), _whose(j for j, _ in items), _style([o for _, o in items]))
        for (v, r), items in sorted(groups.items())
    ]


def epoch_rows(verdicts: Iterable[Judged]) -> list[Row]:
    """The epoch's own verdicts: counts by (verdict, reasons), and whose they are."""
    groups: dict[tuple[str, str], list[tuple[Judged, Outcome]]] = {}
    for j in verdicts:
        groups.setdefault((j.verdict.verdict, _reasons(j.verdict)), []).append((j, j.verdict))
    return _rows(groups)


def resolution_rows(resolved: Iterable[Judged]) -> list[Row]:
    """Earlier epochs' deferred verdicts resolved since (each counted in its resolving
    epoch), labelled with the epoch that deferred them."""
    groups: dict[tuple[str, str], list[tuple[Judged, Outcome]]] = {}
    for j in resolved:
        if j.resolution is not None:
            label = f"{j.resolution.verdict} (deferred in {j.verdict.epoch})"
            groups.setdefault((label, _reasons(j.resolution)), []).append((j, j.resolution))
    return _rows(groups)


# -- the closing summary -----------------------------------------------------------------
def xlm(stroops: int, asset: str = "native") -> str:
    code = "XLM" if asset == "native" else asset.split(":", 1)[0]
    return f"{format_amount(stroops)} {code}"


def _verdict_counts(items: Iterable[Judged]) -> str:
    counts: Counter[str] = Counter()
    for j in items:
        label = j.verdict.verdict
        if label == DEFERRED:
            final = j.final
            label = f"deferred→{final.verdict}" if final else "deferred (unresolved)"
        counts[label] += 1
    return ", ".join(f"{v} {n}" for v, n in sorted(counts.items())) or "—"


@dataclass(frozen=True)
class ActorLine:
    name: str
    signed: int  # receipts it signed and sent
    refused_at_ingest: int
    own: str  # verdicts of its stored receipts
    as_uploader: str  # verdicts of receipts that pay it for bytes it served
    paid: str


def actor_lines(
    names: Iterable[str],
    sent: Mapping[str, list[dict[str, Any]]],
    receipts: Iterable[Judged],
    paid: Mapping[str, Mapping[str, int]],
) -> list[ActorLine]:
    """``sent``: per actor, the node's answer to each receipt it sent ({status, ...});
    ``paid``: per actor, stroops paid on the ledger by asset."""
    receipts = list(receipts)
    out = []
    for name in names:
        answers = sent.get(name, [])
        own = [j for j in receipts if j.signer == name]
        served = [j for j in receipts if j.payee == name]
        money = paid.get(name, {})
        out.append(
            ActorLine(
                name,
                len(answers),
                sum(1 for a in answers if a.get("status") == "rejected"),
                _verdict_counts(own) if own else "—",
                _verdict_counts(served) if served else "—",
                " + ".join(xlm(v, a) for a, v in sorted(money.items())) or "—",
            )
        )
    return out


def paid_by_account(payouts: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Stroops paid on the ledger, by account and asset."""
    out: dict[str, dict[str, int]] = {}
    for p in payouts:
        if str(p.get("status", "")).startswith("paid"):
            by_asset = out.setdefault(str(p["account"]), {})
            by_asset[str(p["asset"])] = by_asset.get(str(p["asset"]), 0) + int(p["amount"])
    return out
