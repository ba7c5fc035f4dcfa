"""``acenode testnet up``: a local federation (the embedded ledger and N validators on
loopback, M of N) in one command, until SIGTERM."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType

import typer

from servicelayer.errors import ServiceLayerError
from servicelayer.ledger.money import STROOPS_PER_UNIT
from servicelayer.probes.service import ProbePolicy
from servicelayer.receipts.model import WINDOW_SECONDS
from testnet.federation import LocalFederation

app = typer.Typer(help="A local network of validators on the embedded ledger.")
PROBE_SLACK_SECONDS = 7  # a probe's evidence is sealed within this after it ends
GOVERNANCE_SUPPLY, GOVERNANCE_CAP = 1_000_000 * STROOPS_PER_UNIT, 10_000_000 * STROOPS_PER_UNIT


def timings(epoch_seconds: int) -> tuple[dict[str, str], float]:
    """Every validator's timings for epochs of ``epoch_seconds``: the close grace, how
    often epochs are advanced, the probes' service checks and the round time-out scale
    with it, so an epoch is anchored on every validator well within two epochs of its end.
    The grace also outlasts a probe of the epoch's last window, so its evidence is sealed
    before the cut-off (docs/federation.md). (The validators' environment, and the round
    time-out.)"""
    probes = ProbePolicy(service_seconds=min(15, max(2, epoch_seconds // 20)))
    grace = max(epoch_seconds // 20, probes.overrun + PROBE_SLACK_SECONDS)
    env = {
        "ACENODE_EPOCHS__ENABLED": "true",
        "ACENODE_EPOCHS__INTERVAL_SECONDS": str(max(1, epoch_seconds // 60)),
        "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": str(grace),
        "ACENODE_WATCHER__INTERVAL_SECONDS": str(max(1, epoch_seconds // 60)),
        "ACENODE_PROBES__ENABLED": "true",
        "ACENODE_PROBES__SERVICE_SECONDS": str(probes.service_seconds),
        "ACENODE_LOG_LEVEL": "info",
    }
    return env, max(5.0, epoch_seconds / 4)


@app.command("up")
def up(
    directory: Path = typer.Option(..., "--dir", help="An empty or new directory for it all."),
    validators: int = typer.Option(3, "--validators", min=1, max=20),
    threshold: int = typer.Option(2, "--threshold", min=1, max=20),
    epoch_seconds: int = typer.Option(
        3600, "--epoch-seconds", min=WINDOW_SECONDS, help="A multiple of 60."
    ),
    channels: int = typer.Option(2, "--channels", min=1, max=64),
    close_interval: float = typer.Option(1.0, "--close-interval", min=0.05, max=60),
    governance: str | None = typer.Option(
        None,
        "--governance",
        help="Issue a governance token of this code (1,000,000 of it, to the DAO's "
        "distribution account, of a cap of 10,000,000 the DAO may mint by vote) before "
        "the first epoch, for the DAO's votes.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Start the embedded ledger and VALIDATORS validators, bootstrap the THRESHOLD-of-
    VALIDATORS treasury, print where everything is, and run until SIGTERM or Ctrl-C."""
    if epoch_seconds % WINDOW_SECONDS:
        raise typer.BadParameter(
            f"must be a multiple of {WINDOW_SECONDS}", param_hint="--epoch-seconds"
        )
    if threshold > validators:
        raise typer.BadParameter("at most --validators", param_hint="--threshold")
    if directory.exists() and any(directory.iterdir()):
        typer.echo(f"error: {directory} is not empty", err=True)
        raise typer.Exit(2)
    env, round_seconds = timings(epoch_seconds)
    net = LocalFederation(
        directory,
        validators=validators,
        threshold=threshold,
        channels=channels,
        epoch_seconds=epoch_seconds,
        round_seconds=round_seconds,
        close_interval=close_interval,
        env=env,
        governance=None if governance is None else (governance, GOVERNANCE_SUPPLY, GOVERNANCE_CAP),
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        net.prepare()
        net.start()
        described = net.describe() | {
            "epoch_seconds": epoch_seconds,
            "round_seconds": round_seconds,
        }
        if as_json:
            typer.echo(json.dumps(described))
        else:
            typer.echo(f"ledger   {described['ledger']}")
            for v in described["validators"]:
                typer.echo(f"validator {v['account']}  {v['api']}  {v['data_dir']}")
            typer.echo(f"{threshold} of {validators}; Ctrl-C stops it all")
        while not stop.wait(1.0):  # a timed wait lets the signal handlers run
            pass
    except (ServiceLayerError, RuntimeError, TimeoutError) as exc:
        typer.echo(f"error: {getattr(exc, 'detail', exc)}", err=True)
        raise typer.Exit(1) from exc
    finally:
        net.close()
