"""Tumour board tables: meetings, attendees, agenda items, decision versions, case tasks,
addenda to a locked protocol.

A decision row is one version: editable while it is a draft, never changed once signed; a later
edit is a new row with the next `version_no` (the service enforces it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from rareonco.errors import Conflict
from rareonco.store.tables.accounts import User
from rareonco.store.tables.base import Base, Versioned, utcnow
from rareonco.store.tables.cases import Case


class BoardMeeting(Versioned, Base):
    __tablename__ = "board_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    video_link: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quorum: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined")
    attendees: Mapped[list[BoardAttendee]] = relationship(
        back_populates="meeting", order_by="BoardAttendee.id", cascade="all, delete-orphan")
    items: Mapped[list[BoardAgendaItem]] = relationship(
        back_populates="meeting", order_by="BoardAgendaItem.position",
        cascade="all, delete-orphan")
    addenda: Mapped[list[BoardAddendum]] = relationship(
        back_populates="meeting", order_by="BoardAddendum.id", cascade="all, delete-orphan")

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}


class BoardAttendee(Base):
    __tablename__ = "board_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("board_meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(40))
    present: Mapped[bool] = mapped_column(Boolean, default=False)  # marked at the meeting

    meeting: Mapped[BoardMeeting] = relationship(back_populates="attendees")


class BoardAddendum(Base):
    """A correction to a meeting's protocol once it is locked (never changed afterwards)."""

    __tablename__ = "board_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("board_meetings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[BoardMeeting] = relationship(back_populates="addenda")
    author: Mapped[User | None] = relationship(lazy="joined")


class BoardAgendaItem(Versioned, Base):
    __tablename__ = "board_agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="uq_board_item_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("board_meetings.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[Mapping[str, Any]] = mapped_column(JSON, default=dict)
    summary_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[BoardMeeting] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()
    decisions: Mapped[list[BoardDecision]] = relationship(
        back_populates="item", order_by="BoardDecision.version_no")

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}


class BoardDecision(Versioned, Base):
    """One version of the board's decision on an agenda item."""

    __tablename__ = "board_decisions"
    __table_args__ = (UniqueConstraint("item_id", "version_no", name="uq_board_decision_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("board_agenda_items.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    intent: Mapped[str] = mapped_column(String(16))
    recommendations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rationale: Mapped[str] = mapped_column(Text, default="")
    dissent: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    guideline: Mapped[str] = mapped_column(String(300), default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[Mapping[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    item: Mapped[BoardAgendaItem] = relationship(back_populates="decisions")
    signer: Mapped[User | None] = relationship(foreign_keys=[signed_by], lazy="joined")

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}


class CaseTask(Versioned, Base):
    """A follow-on task on a case (plan a course, plan a resection), e.g. from a decision."""

    __tablename__ = "case_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("board_decisions.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy declares it an instance variable (mypy)
        "version_id_col": Versioned.version}


@event.listens_for(BoardDecision, "before_update")
def _signed_is_final(mapper: Mapper[BoardDecision], connection: Connection,
                     target: BoardDecision) -> None:
    """A signed version is part of the record: refuse any change to it, whatever the caller."""
    hist = inspect(target).attrs.signed_at.history
    before = (hist.unchanged or hist.deleted or [None])[0]
    if before is not None:
        raise Conflict(f"decision version {target.version_no} is signed and cannot change; "
                       "save a new version instead")
