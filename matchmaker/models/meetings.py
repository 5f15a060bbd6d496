"""Meeting requests and the meetings scheduled from them.

A double booking is impossible by construction: a table hosts one meeting per slot
(unique slot, table) and each participant holds one booking per slot (unique slot,
participant), with the booking's slot tied to its meeting's slot by a composite
foreign key that follows a moved meeting.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Slot, Table
from .people import Participation, enum_column


class RequestStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str({"pending": _l("Pending"), "accepted": _l("Accepted"),
                    "declined": _l("Declined"), "cancelled": _l("Cancelled"),
                    "expired": _l("Expired")}[self.value])


OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


class Priority(int, enum.Enum):
    WOULD_LIKE = 1
    MUST_MEET = 2

    @property
    def label(self) -> str:
        return str({1: _l("Would like to meet"), 2: _l("Must meet")}[self.value])


class MeetingRequest(db.Model):
    __tablename__ = "meeting_request"
    __table_args__ = (
        CheckConstraint("sender_id <> recipient_id", name="not_to_self"),
        CheckConstraint("pair_low < pair_high", name="pair_ordered"),
        CheckConstraint(
            "(pair_low = sender_id AND pair_high = recipient_id) OR "
            "(pair_low = recipient_id AND pair_high = sender_id)", name="pair_matches"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        # One open (pending or accepted) request per pair of participants, either way.
        Index("uq_meeting_request_open_pair", "pair_low", "pair_high", unique=True,
              sqlite_where=text("status IN ('pending', 'accepted')"),
              postgresql_where=text("status IN ('pending', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    pair_low: Mapped[int]
    pair_high: Mapped[int]
    message: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=Priority.WOULD_LIKE.value)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "status"), default=RequestStatus.PENDING)
    decline_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender: Mapped[Participation] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Participation] = relationship(foreign_keys=[recipient_id])
    meeting: Mapped["Meeting | None"] = relationship(back_populates="request")

    def __init__(self, **kwargs):
        sender_id, recipient_id = kwargs.get("sender_id"), kwargs.get("recipient_id")
        if sender_id is None and "sender" in kwargs:
            sender_id = kwargs["sender"].id
        if recipient_id is None and "recipient" in kwargs:
            recipient_id = kwargs["recipient"].id
        if sender_id is not None and recipient_id is not None:
            kwargs.setdefault("pair_low", min(sender_id, recipient_id))
            kwargs.setdefault("pair_high", max(sender_id, recipient_id))
        super().__init__(**kwargs)


class MeetingStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return str({"scheduled": _l("Scheduled"), "held": _l("Held"),
                    "no_show": _l("No-show")}[self.value])


class Meeting(db.Model):
    """A request placed in a slot at a table, in the schedule in force."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("slot_id", "table_id"),
        UniqueConstraint("id", "slot_id"),
        CheckConstraint("sequence >= 0", name="sequence_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"), index=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_table.id", ondelete="RESTRICT"), index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[MeetingRequest] = relationship(back_populates="meeting")
    slot: Mapped[Slot] = relationship()
    table: Mapped[Table] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True,
        passive_updates=True)


class Booking(db.Model):
    """A participant's hold on a slot for a meeting."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("slot_id", "participation_id"),
        ForeignKeyConstraint(["meeting_id", "slot_id"], ["meeting.id", "meeting.slot_id"],
                             onupdate="CASCADE", ondelete="CASCADE"),
    )

    meeting_id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True, index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"))

    meeting: Mapped[Meeting] = relationship(back_populates="bookings", overlaps="slot")
    participation: Mapped[Participation] = relationship()
