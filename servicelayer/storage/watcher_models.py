"""Tables of the ledger watcher: where it is in the ledger, what reached the treasury, and
the governance token's balance index.

- ``ledger_marks``: named positions (the followed ledger, a Horizon paging cursor, the
  balance index's last ledger), each written in the same transaction as the work it
  records, so a restart resumes exactly there.
- ``treasury_payments``: every payment to the treasury the watcher saw, once (its Horizon
  operation id is the key), with where its memo routed it and what the contract did.
- ``governance_balances``: a holder's balance from a ledger on; a row is written only when
  the balance changed (0 when the holder left), so the balance at ledger L is the row
  with the greatest ``ledger <= L``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class LedgerMark(Base):
    __tablename__ = "ledger_marks"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    ledger: Mapped[int] = mapped_column(BigInteger, default=0)
    closed_at: Mapped[int] = mapped_column(BigInteger, default=0)  # unix seconds
    cursor: Mapped[str] = mapped_column(String(64), default="")  # Horizon paging token


class TreasuryPayment(Base):
    __tablename__ = "treasury_payments"

    payment_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # operation id
    tx_hash: Mapped[str] = mapped_column(String(64))
    ledger: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[int] = mapped_column(BigInteger)
    treasury: Mapped[str] = mapped_column(String(56))
    source: Mapped[str] = mapped_column(String(56), index=True)
    asset: Mapped[str] = mapped_column(String(70))  # "XLM" or CODE:ISSUER
    amount: Mapped[int] = mapped_column(BigInteger)  # stroops
    memo_type: Mapped[str] = mapped_column(String(8))
    memo: Mapped[str] = mapped_column(String(100))  # text, or hex of a hash memo
    route: Mapped[str] = mapped_column(String(16))  # subscription|prepaid|access|none
    content: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)  # credited|refused|unrouted
    detail: Mapped[str] = mapped_column(String(255), default="")


class GovernanceBalance(Base):
    __tablename__ = "governance_balances"

    asset: Mapped[str] = mapped_column(String(70), primary_key=True)  # CODE:ISSUER
    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    ledger: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger)  # stroops; 0 = no longer a holder
