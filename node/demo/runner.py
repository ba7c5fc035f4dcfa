"""The demo: one node on the embedded default doing the whole job, with real peers.

1. A node starts (SQLite and the embedded Stellar ledger) and creates the DAO accounts.
2. Providers publish two videos, plans, a bundle, a per-minute rate and a pay-per-view
   offer over the REST API (SEP-10 sign-in); a spammer publishes junk.
3. Viewers pay the treasury on the ledger; the node's ledger watcher credits them; one
   subscribes to the bundle.
4. Real libtorrent peers share the videos on loopback; viewers sign receipts from
   libtorrent's counters while the node's probes watch the swarms; a cheater's tricks
   are refused.
5. Members holding the governance token vote (SEP-53, with `acedao`) to delist the junk.
6. Each epoch is printed as it settles: verdicts, payouts paid on the ledger, the root
   anchored; then `acedao audit` checks one payout against the ledger.

Then the second act (``node.demo.federation``): three validators, none trusted alone,
settle an epoch while one of them is killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from stellar_sdk import Asset

from node.demo import swarm as sw
from node.demo import truth
from node.demo.actors import Actor, Network
from node.demo.epochs import Epochs
from node.demo.federation import run_federation
from node.demo.wait import poll
from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.ledger.money import STROOPS_PER_UNIT
from testnet.processes import MINUTE, MINUTE_EPOCHS, NodeProcess

EPOCH = MINUTE
XLM = STROOPS_PER_UNIT
STYLE = {"accepted": "green", "duplicate": "yellow", "superseded": "yellow", "rejected": "red"}
GENESIS = {  # a test network's short votes
    "gov.voting_period_s": 30,
    "gov.freeze_s": 5,
    "gov.timelock_s": 0,
    "reward.min_payout": 1,
}
NODE_ENV = MINUTE_EPOCHS | {
    "ACENODE_GOVERNANCE__INTERVAL_SECONDS": "1",
    "ACENODE_GENESIS__DAO_PARAMS": json.dumps(GENESIS),
}
PEOPLE = ("ana", "ben", "uma", "vic", "val", "pam", "mo", "max", "spam")
HONEST_PEERS = ("uma", "vic", "val", "pam")  # they share the videos and sign receipts
CHEATER = "cheater"
ROLES = {
    "ana": "provider (films); curates the bundle",
    "ben": "provider (music)",
    "uma": "peer seeding both videos (earns bandwidth rewards)",
    "vic": "viewer, subscribed to the bundle",
    "val": "viewer, paying per minute from a prepaid balance",
    "pam": "viewer, buying one-time access to the song",
    "mo": "DAO member (governance token)",
    "max": "DAO member (governance token)",
    "spam": "publishes junk",
}


def run_demo(
    console: Console,
    workdir: Path | None = None,
    report: Path | None = None,
    share_at: int | None = None,
) -> int:
    """Play the demo; ``report``: where to write its result as JSON (``Demo.result``);
    ``share_at``: the second of the minute (the epoch) at which the peers start sharing
    (default: as soon as the story gets there)."""
    with tempfile.TemporaryDirectory(prefix="acenode-demo-") as tmp:
        root = workdir or Path(tmp)
        node = NodeProcess(root / "node", **NODE_ENV)
        console.rule("[bold]Ace service-layer node: demo")
        console.print(
            f"a node on {node.url}: SQLite in {node.data_dir}, embedded Stellar "
            f"ledger (Horizon) on {node.horizon_url}, {EPOCH} s epochs"
        )
        node.start()
        demo = Demo(console, node, root, share_at)
        federation: dict[str, Any] = {}
        try:
            try:
                demo.run()
            finally:
                code = node.stop()
            console.print(f"node stopped with SIGTERM, exit status {code}")
            federation = run_federation(console, root / "federation")
        finally:
            if report is not None:
                found = demo.result() | {"federation": federation}
                report.write_text(json.dumps(found, indent=1, sort_keys=True))
        console.print("the three validators stopped")
        return 0 if code == 0 else 1


class Demo:
    def __init__(
        self, console: Console, node: NodeProcess, root: Path, share_at: int | None = None
    ) -> None:
        self.console = console
        self.node = node
        self.root = root
        self.share_at = share_at
        self.http = httpx.Client(base_url=node.url, timeout=30)
        self.net = Network(node.url, node.horizon_url, DEFAULT_PASSPHRASE)
        self.people: dict[str, Actor] = {}
        self.names: dict[str, str] = {}
        self.bundle_split_at = 0
        self.sharing_started_at = 0.0
        self.sent: dict[str, list[dict[str, Any]]] = {}  # the node's answer to each receipt
        self.epochs = Epochs(console, self.http, EPOCH, self.name_of)

    # -- the story -----------------------------------------------------------------------
    def run(self) -> None:
        dao = self.wait_for_dao()
        start_epoch = self.now_epoch()
        self.meet_people()
        film, song, junk = self.publish()
        self.pay_and_subscribe(dao["treasury"], song)
        proposal = self.govern(junk)
        self.share(film, song)
        self.cheat(film)
        self.wait_for_decision(proposal, junk)
        self.settle_epochs(start_epoch)
        self.audit(dao["anchor"])
        self.summarise()

    def wait_for_dao(self) -> dict[str, str]:
        self.step("The node creates the DAO's accounts on its ledger")

        def accounts() -> dict[str, str] | None:
            found: dict[str, str] = self.http.get("/v1/dao").json()["accounts"]
            return found if {"treasury", "anchor"} <= set(found) else None

        found = poll(accounts, 90, "the DAO accounts")
        table = Table("role", "account", title="DAO accounts (validators' multisig, no master key)")
        for role, account in found.items():
            table.add_row(role, account)
        self.console.print(table)
        return found

    def meet_people(self) -> None:
        self.step("People get Stellar accounts (friendbot)")
        for name in PEOPLE:
            actor = Actor.create(name, self.root / "keys", self.net)
            actor.fund()
            self.people[name] = actor
            self.names[actor.account] = name
        table = Table("who", "account", "role")
        for name, actor in self.people.items():
            table.add_row(name, actor.account, ROLES[name])
        self.console.print(table)

    def publish(self) -> tuple[sw.TorrentFixture, sw.TorrentFixture, str]:
        self.step("Providers publish over the REST API (SEP-10 sign-in)")
        p = self.people
        film = sw.make_video(self.root / "videos" / "film", "film")
        song = sw.make_video(self.root / "videos" / "song", "song")
        junk = hashlib.sha1(b"free crypto").hexdigest()
        rows = [
            (
                "ana",
                "/v1/catalog",
                {
                    "infohash": film.infohash,
                    "title": "Sunrise over Tallinn",
                    "tags": ["film", "travel"],
                    "bitrate": sw.BITRATE,
                },
            ),
            (
                "ben",
                "/v1/catalog",
                {
                    "infohash": song.infohash,
                    "title": "Northern Lights",
                    "tags": ["music"],
                    "bitrate": sw.BITRATE,
                },
            ),
            (
                "spam",
                "/v1/catalog",
                {"infohash": junk, "title": "FREE CRYPTO click here", "tags": ["film"]},
            ),
            (
                "ana",
                "/v1/plans",
                {"plan_id": "ana-films", "price": 2 * XLM, "period": 3600, "asset": "XLM"},
            ),
            (
                "ben",
                "/v1/plans",
                {"plan_id": "ben-music", "price": 2 * XLM, "period": 3600, "asset": "XLM"},
            ),
            (
                "ana",
                "/v1/bundles",
                {
                    "bundle_id": "all-access",
                    "plans": ["ana-films", "ben-music"],
                    "price": 3 * XLM,
                    "period": EPOCH,
                    "asset": "XLM",
                },
            ),
            (
                "ana",
                "/v1/billing/rates",
                {"content": film.infohash, "asset": "XLM", "per_minute": XLM // 10},
            ),
            (
                "ben",
                "/v1/access/offers",
                {"content": song.infohash, "price": 2 * XLM, "asset": "XLM", "duration": 3600},
            ),
        ]
        origins = [  # the owners name uma's seeder: validators probe it from its first window
            ("ana", f"/v1/catalog/{film.infohash}/origins", {"accounts": [p["uma"].account]}),
            ("ben", f"/v1/catalog/{song.infohash}/origins", {"accounts": [p["uma"].account]}),
        ]
        table = Table("who", "call", "what")
        for who, path, body in rows:
            p[who].post(path, body)
            what = body.get("title") or body.get("plan_id") or body.get("bundle_id") or ""
            if path == "/v1/billing/rates":
                what = "0.1 XLM per started minute of the film"
            if path == "/v1/access/offers":
                what = "the song for 2 XLM, one hour"
            table.add_row(who, f"POST {path}", str(what))
        for who, path, body in origins:
            p[who].write("PUT", path, body)
            table.add_row(who, f"PUT {path[:24]}…/origins", "uma seeds it (its origin)")
        self.console.print(table)
        return film, song, junk

    def pay_and_subscribe(self, treasury: str, song: sw.TorrentFixture) -> None:
        self.step("Viewers pay the treasury on the ledger; the watcher credits them")
        p = self.people
        song_memo = bytes.fromhex(song.infohash) + bytes(12)
        payments = [
            ("vic", "3", {"text": "sub"}, "bundle credit (memo sub)"),
            ("val", "1", {"text": "prepaid"}, "prepaid balance (memo prepaid)"),
            ("pam", "2", {"memo_hash": song_memo}, "the song (memo = its infohash)"),
        ]
        table = Table("who", "paid", "for", "ledger transaction")
        for who, amount, memo, what in payments:
            tx = p[who].pay(treasury, amount, **memo)
            table.add_row(who, f"{amount} XLM", what, tx[:16] + "…")
        self.console.print(table)
        poll(lambda: self.credit(p["vic"]) >= 3 * XLM or None, 60, "vic's credit")
        poll(lambda: self.prepaid(p["val"]) > 0 or None, 60, "val's prepaid balance")
        poll(
            lambda: p["pam"].get(f"/v1/accounts/{p['pam'].account}/access")["grants"] or None,
            60,
            "pam's purchase",
        )
        subscription = p["vic"].post("/v1/subscriptions", {"offering_id": "all-access"})
        self.bundle_split_at = int(subscription["paid_until"])  # the period's split
        self.console.print(
            f"vic subscribes to [bold]all-access[/bold]: {subscription['status']}, paid until "
            f"{time.strftime('%H:%M:%S', time.localtime(subscription['paid_until']))}"
        )
        table = Table("who", "content", "may watch?", "why", title="GET /v1/entitlements")
        for who, content, name in (
            ("vic", song.infohash, "song"),
            ("pam", song.infohash, "song"),
            ("val", song.infohash, "song"),
        ):
            answer = self.http.get(
                "/v1/entitlements", params={"account": p[who].account, "content": content}
            ).json()
            table.add_row(who, name, "yes" if answer["allowed"] else "no", answer["reason"])
        self.console.print(table)

    def govern(self, junk: str) -> int:
        self.step("The DAO votes to delist the junk (governance token, SEP-53 votes)")
        p = self.people
        self.acenode("assets", "issue", "ACE", "--cap", "1000000")
        ace = self.http.get("/v1/assets/ACE").json()
        token = Asset("ACE", ace["issuer"])
        for who, amount in (("mo", "600"), ("max", "400")):
            p[who].trust(token)
            self.acenode("assets", "mint", "ACE", "--amount", amount, "--to", p[who].account)
        self.console.print("ACE issued; 600 minted to mo, 400 to max (`acenode assets`)")
        minted = self.ledger_now()
        poll(
            lambda: (self.http.get("/v1/health").json().get("ledger") or 0) >= minted or None,
            60,
            "the node to follow the ledger past the mints",
        )
        opened = self.acedao(
            "mo", "propose", "delist", "--target", junk, "--description", "spam: not a film"
        )
        proposal = int(opened["result"]["id"])
        self.console.print(f"mo opens proposal #{proposal} (`acedao propose delist`)")

        def snapshot() -> bool | None:
            found = self.http.get(f"/v1/proposals/{proposal}").json()
            return True if found.get("snapshot_recorded") else None

        poll(snapshot, 60, "the balance snapshot of the proposal's start ledger")
        for who in ("mo", "max"):
            self.acedao(who, "vote", str(proposal), "yes", "--reason", "spam")
        self.console.print("mo and max vote yes (`acedao vote`, signed locally, SEP-53)")
        return proposal

    def share(self, film: sw.TorrentFixture, song: sw.TorrentFixture) -> None:
        self.step("Peers share the videos with real libtorrent sessions on loopback")
        p = self.people
        if self.share_at is not None:  # e.g. late in the minute: sessions cross an epoch
            time.sleep((self.share_at - time.time()) % EPOCH)
        self.sharing_started_at = time.time()
        self.console.print(
            f"sharing starts at {time.strftime('%H:%M:%S', time.localtime())} "
            f"(second {int(self.sharing_started_at) % EPOCH} of the {EPOCH} s epoch)"
        )
        swarms = [sw.start_swarm("film", film, p["uma"]), sw.start_swarm("song", song, p["uma"])]
        try:
            watching = [
                (swarms[0], "vic"),
                (swarms[0], "val"),
                (swarms[1], "vic"),
                (swarms[1], "pam"),
            ]
            first = [sw.join(s, p[who], self.root / "peers") for s, who in watching]
            sw.register(swarms)
            self.submit([r for v in first for r in v.receipts])
            self.console.print(
                "uma seeds both videos; vic watches both, val the film, pam the "
                "song; the node's probes join the swarms"
            )
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                time.sleep(5)
                fresh = [
                    r
                    for (s, _), v in zip(watching, first, strict=True)
                    for r in sw.sign_progress(s, v)
                ]
                self.submit(fresh)
                if all(v.leecher.is_seeding() for v in first):
                    break
            fresh = [
                r for (s, _), v in zip(watching, first, strict=True) for r in sw.sign_progress(s, v)
            ]
            self.submit(fresh)
            table = Table("viewer", "video", "bytes from uma", "watched s", "receipts")
            for (s, who), v in zip(watching, first, strict=True):
                table.add_row(who, s.title, f"{v.received:,}", str(v.seconds), str(len(v.receipts)))
            self.console.print(table)
        finally:
            sw.close(swarms)

    def cheat(self, film: sw.TorrentFixture) -> None:
        self.step("A cheater tries the classic tricks")
        cheater = Actor.create(CHEATER, self.root / "keys", self.net)
        self.names[cheater.account] = CHEATER
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "node.demo.peer",
                "cheater",
                "--node",
                self.node.url,
                "--key",
                str(cheater.key_file),
                "--passphrase",
                DEFAULT_PASSPHRASE,
                f"--peer=uploader={self.people['uma'].account}",
                f"--video={film.infohash}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        table = Table("receipt", "status", "reason", title="What the node accepted and rejected")
        for line in (json.loads(x) for x in out.stdout.splitlines() if x.strip()):
            self.sent.setdefault(CHEATER, []).append(line)
            status = line["status"]
            table.add_row(line["what"], f"[{STYLE[status]}]{status}[/]", line.get("reason") or "")
        self.console.print(table)

    def wait_for_decision(self, proposal: int, junk: str) -> None:
        self.step("The vote ends; the node carries out the decision")

        def executed() -> dict[str, Any] | None:
            found: dict[str, Any] = self.http.get(f"/v1/proposals/{proposal}").json()
            return found if found["status"] == "executed" else None

        found = poll(executed, 120, f"proposal #{proposal} to be executed")
        tally = found.get("tally", {})
        self.console.print(f"proposal #{proposal}: {found['status']}, tally {tally}")
        item = self.http.get(f"/v1/catalog/{junk}").json()
        hits = self.http.get("/v1/catalog", params={"q": "crypto"}).json()["total"]
        self.console.print(
            f"the junk is now [bold]{item['status']}[/bold]; a catalog search "
            f"for 'crypto' finds {hits} item(s)"
        )

    def settle_epochs(self, first: int) -> None:
        self.step("Epochs close, are verified, computed, paid on the ledger and anchored")
        last = max(self.now_epoch(), self.bundle_split_at // EPOCH)  # through the split
        self.epochs.follow(first, last)

    def audit(self, anchor: str) -> None:
        payout = self.epochs.last_payout
        if payout is None:
            return
        self.step(f"A member audits payout {payout} against the ledger (`acedao audit`)")
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "node.cli.acedao_main",
                "audit",
                "payout",
                payout,
                "--node",
                self.node.url,
                "--horizon",
                self.node.horizon_url,
                "--anchor",
                anchor,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.console.print(out.stdout.rstrip())

    def summarise(self) -> None:
        self.step("What each one signed, how the node judged it, what it was paid")
        table = Table(
            "who",
            "sent",
            "refused",
            "its receipts' verdicts",
            "verdicts on bytes it served",
            "paid on the ledger",
            caption="sent: receipts it signed; refused: at ingest; verdicts: of the stored "
            "receipts (the latest of each stream and minute), a deferred one with how it ended",
        )
        names = [*PEOPLE, CHEATER]
        paid = {self.name_of(a): v for a, v in truth.paid_by_account(self.epochs.payouts).items()}
        judged = self.epochs.judged.values()
        for line in truth.actor_lines(names, self.sent, judged, paid):
            if line.signed or line.own != "—" or line.as_uploader != "—" or line.paid != "—":
                table.add_row(
                    line.name,
                    str(line.signed),
                    str(line.refused_at_ingest),
                    line.own,
                    line.as_uploader,
                    line.paid,
                )
        self.console.print(table)

    def result(self) -> dict[str, Any]:
        """What happened, as data: the demo's test asserts on it (`acenode demo --report`)."""
        return {
            "epoch_seconds": EPOCH,
            "sharing_started_at": self.sharing_started_at,
            "actors": {
                name: {"account": account, "role": _role(name)}
                for account, name in self.names.items()
            },
            "sent": self.sent,
            "epochs": self.epochs.epochs,
            "receipts": [j.to_json() for _, j in sorted(self.epochs.judged.items())],
            "payouts": self.epochs.payouts,
            "paid": {
                self.name_of(a): v for a, v in truth.paid_by_account(self.epochs.payouts).items()
            },
        }

    def name_of(self, account: str) -> str:
        return self.names.get(account, account[:8])

    # -- helpers -------------------------------------------------------------------------
    def step(self, title: str) -> None:
        self.console.rule(title)

    def ledger_now(self) -> int:
        latest = httpx.get(f"{self.node.horizon_url}/ledgers", params={"order": "desc", "limit": 1})
        return int(latest.json()["_embedded"]["records"][0]["sequence"])

    def now_epoch(self) -> int:
        return int(time.time()) // EPOCH

    def credit(self, actor: Actor) -> int:
        found = actor.get(f"/v1/accounts/{actor.account}/subscriptions")
        return sum(c["amount"] for c in found.get("credits", []) if c["asset"] == "XLM")

    def prepaid(self, actor: Actor) -> int:
        found = actor.get(f"/v1/accounts/{actor.account}/statement")
        return sum(b["balance"] for b in found["balances"])

    def submit(self, receipts: list[dict[str, Any]]) -> None:
        """Send honest peers' receipts; the node's answer to each is kept by signer."""
        for start in range(0, len(receipts), 500):
            batch = receipts[start : start + 500]
            answer = self.http.post("/v1/receipts", json={"receipts": batch})
            answer.raise_for_status()
            for receipt, result in zip(batch, answer.json()["results"], strict=True):
                who = self.names.get(receipt["signer"], receipt["signer"][:8])
                line = {
                    "what": receipt["kind"],
                    "id": receipt.get("id"),
                    "window_start": receipt["window_start"],
                    **result,
                }
                self.sent.setdefault(who, []).append(line)

    def _env(self) -> dict[str, str]:
        return {**os.environ, **NODE_ENV, "ACENODE_STELLAR__HORIZON_URL": self.node.horizon_url}

    def acenode(self, *args: str) -> None:
        cmd = [sys.executable, "-m", "node", *args, "--data-dir", str(self.node.data_dir)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=self._env())
        if done.returncode != 0:
            raise RuntimeError(f"acenode {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def acedao(self, who: str, *args: str) -> dict[str, Any]:
        cmd = [
            sys.executable,
            "-m",
            "node.cli.acedao_main",
            *args,
            "--node",
            self.node.url,
            "--key-file",
            str(self.people[who].key_file),
            "--json",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"acedao {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result


def _role(name: str) -> str:
    return "cheater" if name == CHEATER else "honest" if name in HONEST_PEERS else "other"
