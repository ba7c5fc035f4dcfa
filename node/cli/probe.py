"""``acenode probe``: run one swarm probe by hand and print what it saw.

Exit codes: 0 the probe ran and a named peer answered (or none was named and some peer did);
1 the probe ran but no such peer answered; 2 bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from servicelayer.errors import ServiceLayerError
from servicelayer.probes.endpoint import Endpoint, listen_interface, resolve_endpoint
from servicelayer.probes.evidence import SwarmEvidence, evidence_to_json
from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import SessionConfig, loopback_settings, production_settings
from servicelayer.probes.target import ProbeTarget

MAX_SECONDS = 3600


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _target(torrent: Path | None, infohash: str | None) -> ProbeTarget:
    if (torrent is None) == (infohash is None):
        raise _fail("give exactly one of --torrent FILE or --infohash HASH")
    if torrent is not None:
        return ProbeTarget.from_torrent_file(torrent)
    assert infohash is not None
    return ProbeTarget.from_infohash(infohash)


def _config(listen: str, dht: bool, loopback: bool) -> SessionConfig:
    if loopback:
        return loopback_settings(0)
    config = production_settings(listen_interface(listen))
    pack = dict(config.pack)
    pack["enable_dht"] = dht
    return SessionConfig(pack=pack, limit_local_peers=False)


def probe_command(
    torrent: Annotated[
        Path | None, typer.Option("--torrent", help="A .torrent file naming the swarm.")
    ] = None,
    infohash: Annotated[
        str | None,
        typer.Option("--infohash", help="The swarm's v1 infohash; metadata comes from peers."),
    ] = None,
    peer: Annotated[
        list[str] | None, typer.Option("--peer", help="HOST:PORT of a peer to connect to.")
    ] = None,
    seconds: Annotated[int, typer.Option("--seconds", help="Probe window, seconds.")] = 30,
    budget: Annotated[
        int, typer.Option("--budget", help="Bytes of pieces to download to test serving.")
    ] = 256 * 1024,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evidence as JSON.")] = False,
    listen: Annotated[
        str, typer.Option("--listen", help="Where the probe listens, IP:PORT (0: any port).")
    ] = "0.0.0.0:0",
    dht: Annotated[bool, typer.Option("--dht/--no-dht", help="Find peers through the DHT.")] = True,
    loopback: Annotated[
        bool, typer.Option("--loopback", help="Test settings: 127.0.0.1 only, no DHT.")
    ] = False,
    full_window: Annotated[
        bool,
        typer.Option("--full-window", help="Watch the whole window even when all is answered."),
    ] = False,
) -> None:
    """Join a swarm as an ordinary peer, connect to the given peers and report what they do."""
    if not 1 <= seconds <= MAX_SECONDS:
        raise _fail(f"--seconds must be in 1..{MAX_SECONDS}")
    if budget < 0:
        raise _fail("--budget must be >= 0")
    try:
        target = _target(torrent, infohash)
        peers = [resolve_endpoint(text) for text in peer or []]
        config = _config(listen, dht, loopback)
        with TorrentSession(config) as session:
            evidence = run_probe(
                session,
                target,
                peers,
                seconds,
                budget,
                SystemClock(),
                piece_seed=os.urandom(16),
                stop_when_complete=not full_window,
            )
    except ServiceLayerError as exc:
        raise _fail(exc.detail) from None
    if as_json:
        typer.echo(json.dumps(_json(evidence), sort_keys=True, indent=2))
    else:
        _print(evidence)
    if not _someone_answered(evidence, peers):
        raise typer.Exit(1)


def _someone_answered(evidence: SwarmEvidence, named: list[Endpoint]) -> bool:
    keys = {str(e) for e in named}
    return any(p.answered and (p.endpoint in keys or not keys) for p in evidence.peers)


def _json(evidence: SwarmEvidence) -> dict[str, object]:
    rates = {p.endpoint: evidence.served_rate(p.endpoint) for p in evidence.peers}
    return {"evidence": evidence_to_json(evidence), "served_rates": rates}


def _print(evidence: SwarmEvidence) -> None:
    console = Console()
    table = Table(title=f"swarm {evidence.infohash}")
    table.add_column("peer", no_wrap=True)
    for column in ("answered", "client", "peer id", "pieces", "served", "rate/s", "error"):
        table.add_column(column)
    total = evidence.num_pieces or "?"
    for p in evidence.peers:
        rate = evidence.served_rate(p.endpoint)
        table.add_row(
            p.endpoint + (" *" if p.named else ""),
            "yes" if p.answered else "no",
            p.client,
            p.peer_id[:16],
            f"{p.pieces}/{total}" + (" seed" if p.seed else ""),
            str(p.payload_down),
            "-" if rate is None else str(rate),
            p.error,
        )
    console.print(table)
    cost = evidence.cost
    console.print(
        f"metadata: {'yes' if evidence.has_metadata else 'no'}  "
        f"pieces: {evidence.num_pieces} x {evidence.piece_size} B  "
        f"sampled: {len(evidence.sampled_pieces)}  verified: {len(evidence.verified_pieces)}  "
        f"hash failures: {evidence.hash_failures}"
    )
    console.print(
        f"probe cost: payload {cost.payload_down} down / {cost.payload_up} up, "
        f"protocol {cost.protocol_down} down / {cost.protocol_up} up  (* = named peer)"
    )
