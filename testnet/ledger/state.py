"""Ledger entries kept in memory, and copy-on-write views for atomic application.

Balances are integer stroops. Entries are mutable slotted dataclasses, but code only
mutates the private copy a :class:`StateView` hands out through its ``*_mut`` methods;
entries read from a parent are never changed in place, so a failed transaction is
discarded by dropping its view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntFlag
from operator import attrgetter
from typing import Any, Protocol

BASE_FEE = 100
BASE_RESERVE = 5_000_000
TOTAL_COINS = 10**18
MAX_SIGNERS = 20
INT64_MAX = 2**63 - 1
PROTOCOL_VERSION = 22
MAX_TX_SET_SIZE = 100_000


class AccountFlag(IntFlag):
    AUTH_REQUIRED = 1
    AUTH_REVOCABLE = 2
    AUTH_IMMUTABLE = 4
    AUTH_CLAWBACK_ENABLED = 8


ALL_ACCOUNT_FLAGS = 15


class TrustLineFlag(IntFlag):
    AUTHORIZED = 1
    AUTHORIZED_TO_MAINTAIN_LIABILITIES = 2
    CLAWBACK_ENABLED = 4


@dataclass(frozen=True, slots=True)
class Signer:
    key: str
    weight: int


@dataclass(slots=True)
class Account:
    account_id: str
    balance: int
    seq_num: int
    num_sub_entries: int = 0
    flags: int = 0
    home_domain: str = ""
    master_weight: int = 1
    low_threshold: int = 0
    med_threshold: int = 0
    high_threshold: int = 0
    signers: tuple[Signer, ...] = ()
    num_sponsoring: int = 0
    last_modified_ledger: int = 0
    seq_ledger: int = 0
    seq_time: int = 0


@dataclass(slots=True)
class TrustLine:
    account_id: str
    asset: str
    balance: int
    limit: int
    flags: int
    last_modified_ledger: int = 0

    @property
    def authorized(self) -> bool:
        return bool(self.flags & TrustLineFlag.AUTHORIZED)

    @property
    def clawback_enabled(self) -> bool:
        return bool(self.flags & TrustLineFlag.CLAWBACK_ENABLED)


@dataclass(slots=True)
class DataEntry:
    account_id: str
    name: str
    value: bytes
    last_modified_ledger: int = 0


@dataclass(frozen=True, slots=True)
class Claimant:
    destination: str
    predicate: dict[str, object]


@dataclass(slots=True)
class ClaimableBalance:
    balance_id: str
    asset: str
    amount: int
    sponsor: str
    claimants: tuple[Claimant, ...]
    flags: int = 0
    last_modified_ledger: int = 0


Entry = Account | TrustLine | DataEntry | ClaimableBalance
Key = tuple[str, ...]


def account_key(account_id: str) -> Key:
    return ("account", account_id)


def trustline_key(account_id: str, asset: str) -> Key:
    return ("trustline", account_id, asset)


def data_key(account_id: str, name: str) -> Key:
    return ("data", account_id, name)


def balance_key(balance_id: str) -> Key:
    return ("claimable_balance", balance_id)


def key_of(entry: Entry) -> Key:
    if isinstance(entry, Account):
        return account_key(entry.account_id)
    if isinstance(entry, TrustLine):
        return trustline_key(entry.account_id, entry.asset)
    if isinstance(entry, DataEntry):
        return data_key(entry.account_id, entry.name)
    return balance_key(entry.balance_id)


def owner_of(entry: Entry) -> str:
    if isinstance(entry, ClaimableBalance):
        return entry.sponsor
    return entry.account_id


def min_balance(account: Account, base_reserve: int, extra_sub_entries: int = 0) -> int:
    """(2 + numSubEntries + numSponsoring - numSponsored) * baseReserve (nothing is sponsored)."""
    return (2 + account.num_sub_entries + extra_sub_entries + account.num_sponsoring) * base_reserve


def available_balance(account: Account, base_reserve: int) -> int:
    """Balance above the reserve (no offers here, so no selling liabilities)."""
    return account.balance - min_balance(account, base_reserve)


@dataclass(slots=True)
class LedgerHeader:
    seq: int
    close_time: int
    hash: str
    prev_hash: str
    total_coins: int = TOTAL_COINS
    fee_pool: int = 0
    base_fee: int = BASE_FEE
    base_reserve: int = BASE_RESERVE
    max_tx_set_size: int = MAX_TX_SET_SIZE
    protocol_version: int = PROTOCOL_VERSION
    successful_tx_count: int = 0
    failed_tx_count: int = 0
    operation_count: int = 0
    tx_set_operation_count: int = 0
    header_xdr: str = ""


_FIELDS: dict[type, Any] = {
    cls: attrgetter(*(f.name for f in fields(cls)))
    for cls in (Account, TrustLine, DataEntry, ClaimableBalance)
}


def clone(entry: Entry) -> Entry:
    """A shallow copy (``dataclasses.replace`` without its per-field checks)."""
    cls = type(entry)
    return cls(*_FIELDS[cls](entry))


class Readable(Protocol):
    def get(self, key: Key) -> Entry | None: ...


@dataclass
class LedgerState:
    """All live entries of the last closed ledger, plus an index by owning account."""

    entries: dict[Key, Entry] = field(default_factory=dict)
    by_account: dict[str, set[Key]] = field(default_factory=dict)
    balance_keys: set[Key] = field(default_factory=set)

    def get(self, key: Key) -> Entry | None:
        return self.entries.get(key)

    def put(self, entry: Entry) -> None:
        key = key_of(entry)
        self.entries[key] = entry
        self.by_account.setdefault(owner_of(entry), set()).add(key)
        if isinstance(entry, ClaimableBalance):
            self.balance_keys.add(key)

    def delete(self, key: Key) -> None:
        entry = self.entries.pop(key, None)
        self.balance_keys.discard(key)
        if entry is not None:
            keys = self.by_account.get(owner_of(entry))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.by_account[owner_of(entry)]

    def apply(self, changes: dict[Key, Entry | None]) -> None:
        for key, entry in changes.items():
            if entry is None:
                self.delete(key)
            else:
                self.put(entry)

    def owned(self, account_id: str) -> list[Entry]:
        keys = sorted(self.by_account.get(account_id, ()))
        return [self.entries[k] for k in keys]


class StateView:
    """Copy-on-write overlay over a parent (the ledger state or another view)."""

    def __init__(self, parent: Readable) -> None:
        self.parent = parent
        self.changes: dict[Key, Entry | None] = {}

    def get(self, key: Key) -> Entry | None:
        if key in self.changes:
            return self.changes[key]
        return self.parent.get(key)

    def _mut(self, key: Key) -> Entry | None:
        if key in self.changes:
            return self.changes[key]
        entry = self.parent.get(key)
        if entry is None:
            return None
        copy = clone(entry)
        self.changes[key] = copy
        return copy

    def account(self, account_id: str) -> Account | None:
        entry = self.get(account_key(account_id))
        return entry if isinstance(entry, Account) else None

    def account_mut(self, account_id: str) -> Account | None:
        entry = self._mut(account_key(account_id))
        return entry if isinstance(entry, Account) else None

    def trustline(self, account_id: str, asset: str) -> TrustLine | None:
        entry = self.get(trustline_key(account_id, asset))
        return entry if isinstance(entry, TrustLine) else None

    def trustline_mut(self, account_id: str, asset: str) -> TrustLine | None:
        entry = self._mut(trustline_key(account_id, asset))
        return entry if isinstance(entry, TrustLine) else None

    def data(self, account_id: str, name: str) -> DataEntry | None:
        entry = self.get(data_key(account_id, name))
        return entry if isinstance(entry, DataEntry) else None

    def balance(self, balance_id: str) -> ClaimableBalance | None:
        entry = self.get(balance_key(balance_id))
        return entry if isinstance(entry, ClaimableBalance) else None

    def put(self, entry: Entry) -> None:
        self.changes[key_of(entry)] = entry

    def delete(self, key: Key) -> None:
        self.changes[key] = None

    def commit_into(self, other: StateView) -> None:
        other.changes.update(self.changes)
