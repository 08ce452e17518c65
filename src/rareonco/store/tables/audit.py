"""The append-only, hash-chained audit log and the head of its chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rareonco.store.tables.base import Base


class AuditEntry(Base):
    """Append-only, hash-chained log of every read and write of patient data.

    Triggers created by the migration refuse UPDATE and DELETE on this table. The auditor's
    filters read their page in sequence order from (username, seq) and (action, seq); resources
    compare by code point (prefix ranges, migration audit_0001).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_username_seq", "username", "seq"),
        Index("ix_audit_log_action_seq", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), index=True)
    client: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that serialises appends to the audit chain (locked per append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
