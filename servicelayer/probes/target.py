"""What a probe joins: a torrent (metadata known) or a bare infohash (metadata from peers)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import libtorrent as lt

from servicelayer.errors import InvalidInput

MAX_TORRENT_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ProbeTarget:
    """A swarm named by its v1 infohash (40 lowercase hex), with the .torrent bytes if known."""

    infohash: str
    torrent: bytes | None = None

    @classmethod
    def from_infohash(cls, text: str) -> ProbeTarget:
        """40 hex characters, or the 32-character base32 form magnet links also use."""
        value = text.strip() if isinstance(text, str) else ""
        if len(value) == 32:
            try:
                value = base64.b32decode(value.upper()).hex()
            except ValueError:
                raise InvalidInput(f"bad infohash {text!r}", code="bad_infohash") from None
        if len(value) != 40 or not all(c in "0123456789abcdefABCDEF" for c in value):
            raise InvalidInput(
                f"bad infohash {text!r}: expected 40 hex characters", code="bad_infohash"
            )
        return cls(infohash=value.lower())

    @classmethod
    def from_torrent_bytes(cls, data: bytes) -> ProbeTarget:
        info = load_torrent_info(data)
        infohash = info.info_hashes().v1
        if infohash.is_all_zeros():
            raise InvalidInput("v2-only torrents are not supported", code="unsupported_torrent")
        return cls(infohash=infohash.to_bytes().hex(), torrent=bytes(data))

    @classmethod
    def from_torrent_file(cls, path: Path | str) -> ProbeTarget:
        file = Path(path)
        try:
            size = file.stat().st_size
            if size > MAX_TORRENT_FILE_BYTES:
                raise InvalidInput(f"{file}: too large for a .torrent", code="bad_torrent")
            data = file.read_bytes()
        except FileNotFoundError:
            raise InvalidInput(f"{file}: no such file", code="torrent_file_missing") from None
        except IsADirectoryError:
            raise InvalidInput(f"{file}: is a directory", code="bad_torrent") from None
        except OSError as exc:
            raise InvalidInput(f"{file}: cannot read: {exc.strerror}", code="bad_torrent") from None
        return cls.from_torrent_bytes(data)

    def add_params(self, save_path: str) -> lt.add_torrent_params:
        """Parameters for a passive probe: share mode (stays connected, downloads nothing on
        its own), not auto-managed, not paused."""
        if self.torrent is not None:
            params = lt.load_torrent_buffer(self.torrent)
        else:
            params = lt.add_torrent_params()
            params.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(self.infohash)))
        params.save_path = save_path
        params.flags = lt.torrent_flags.share_mode
        return params


def load_torrent_info(data: bytes) -> lt.torrent_info:
    """Parse .torrent bytes; anything libtorrent refuses is ``bad_torrent``."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("empty torrent data", code="bad_torrent")
    if len(data) > MAX_TORRENT_FILE_BYTES:
        raise InvalidInput("torrent data too large", code="bad_torrent")
    try:
        params = lt.load_torrent_buffer(bytes(data))
    except RuntimeError as exc:
        raise InvalidInput(f"not a valid .torrent: {exc}", code="bad_torrent") from None
    info = params.ti
    if info is None or not info.is_valid():
        raise InvalidInput("not a valid .torrent", code="bad_torrent")
    return info
