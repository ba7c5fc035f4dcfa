"""The ``acedao`` app, its shared options, and the member's key (never echoed or logged)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Annotated

import typer
from stellar_sdk import Keypair
from stellar_sdk.exceptions import Ed25519SecretSeedInvalidError

from servicelayer.errors import InvalidInput
from servicelayer.keys import load_key_file

app = typer.Typer(
    name="acedao",
    help="Take part in the Ace DAO: keys, usage, proposals, votes, delegation, subscriptions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def default_key_file() -> Path:
    env = os.environ.get("ACEDAO_KEY_FILE")
    return Path(env) if env else Path.home() / ".config" / "acedao" / "member.key"


KeyFile = Annotated[Path | None, typer.Option("--key-file", "-k", help="[env ACEDAO_KEY_FILE]")]
NodeUrl = Annotated[
    str, typer.Option("--node", envvar="ACEDAO_NODE", help="Node API base URL [env ACEDAO_NODE]")
]
DEFAULT_NODE = "http://127.0.0.1:8700"
PromptKey = Annotated[
    bool,
    typer.Option("--prompt-key", help="Without a key file, ask for the secret key (input hidden)"),
]
IdempotencyKey = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Reuse the key a failed attempt printed, so a retry is applied at most once",
    ),
]


def member_key(key_file: Path | None, prompt_key: bool) -> Keypair:
    """The member's key: the key file, or (with --prompt-key and no file) a hidden prompt."""
    path = key_file or default_key_file()
    if path.exists() or not prompt_key:
        if not path.exists():
            raise InvalidInput(f"no key file at {path}; run `acedao keys new` or pass --prompt-key")
        return load_key_file(path)
    secret = typer.prompt("Secret key (S..., not shown)", hide_input=True, err=True)
    try:
        return Keypair.from_secret(secret.strip())
    except (Ed25519SecretSeedInvalidError, ValueError):
        raise InvalidInput("that is not a Stellar secret key (S...)") from None


def new_idempotency_key(given: str | None) -> str:
    return given if given is not None else f"acedao-{uuid.uuid4().hex}"
