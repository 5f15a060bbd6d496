"""An event and its frame: meeting blocks, slots, tables, product groups in use."""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (BigInteger, CheckConstraint, Column, Date, Enum, ForeignKey, String,
                        Table as SATable, Text, Time, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import gettext, lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .reference import ProductGroup

if TYPE_CHECKING:
    from .people import Participation


class Phase(str, enum.Enum):
    """Where an event stands. PUBLISHED means "the schedule is published"; whether
    participants may still book then is `Event.live_booking`."""

    DRAFT = "draft"
    BOOKING_OPEN = "booking_open"
    BOOKING_CLOSED = "booking_closed"
    SCHEDULED = "booking_closed"  # the old name of a closed event awaiting its schedule
    PUBLISHED = "published"
    OVER = "over"

    @property
    def label(self) -> str:
        return str({"draft": _l("Draft"), "booking_open": _l("Booking open"),
                    "booking_closed": _l("Booking closed"),
                    "published": _l("Schedule published"),
                    "over": _l("Event over")}[self.value])


event_product_group = SATable(
    "event_product_group",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("product_group_id", ForeignKey("product_group.id", ondelete="CASCADE"),
           primary_key=True),
)


class JoinPolicy(str, enum.Enum):
    OPEN = "open"  # any account may join
    APPROVAL = "approval"  # an organiser approves each request
    CODE = "code"  # joining needs the event's invitation code

    @property
    def label(self) -> str:
        return str({"open": _l("Open: anyone with an account may join"),
                    "approval": _l("By approval: organisers accept each request"),
                    "code": _l("By invitation code")}[self.value])


class ContactVisibility(str, enum.Enum):
    CONTACTS = "contacts"  # only people with an accepted request or a meeting together
    PARTICIPANTS = "participants"  # every participant of the event

    @property
    def label(self) -> str:
        return str({"contacts": _l("Only to people they have an accepted request or a meeting "
                                   "with"),
                    "participants": _l("To every participant of the event")}[self.value])


def new_data_version() -> int:
    """A fresh data version: random, so an event re-created under a reused id (SQLite
    reuses the highest id) never matches what a worker cached for the one before."""
    return secrets.randbits(62)


def _str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    return Enum(enum_class, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda e: [m.value for m in e], name=name)


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("max_open_requests >= 0", name="max_open_requests_non_negative"),
        CheckConstraint("default_max_meetings >= 0", name="default_max_meetings_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    venue: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = mapped_column(
        Enum(Phase, native_enum=False, create_constraint=True, length=20,
             values_callable=lambda e: [m.value for m in e], name="phase"),
        default=Phase.DRAFT)
    max_open_requests: Mapped[int] = mapped_column(default=20)
    default_max_meetings: Mapped[int] = mapped_column(default=12)
    request_expiry_days: Mapped[int | None] = mapped_column(default=None)
    # With the schedule published: accepted requests are placed in it at once.
    live_booking: Mapped[bool] = mapped_column(default=False)
    # From then on participants cannot place, move or cancel meetings themselves.
    changes_frozen_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_policy: Mapped[JoinPolicy] = mapped_column(
        _str_enum(JoinPolicy, "join_policy"), default=JoinPolicy.OPEN, server_default="open")
    join_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # who sees the e-mail and phone of a participant who consented to share them
    contact_visibility: Mapped[ContactVisibility] = mapped_column(
        _str_enum(ContactVisibility, "contact_visibility"), default=ContactVisibility.CONTACTS,
        server_default="contacts")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changes with every write to the event's listings or participants (see
    # marketplace/cache.py): what each worker's market and suggestion indexes are keyed by.
    data_version: Mapped[int] = mapped_column(BigInteger, default=new_data_version,
                                              server_default="0")

    blocks: Mapped[list["MeetingBlock"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="MeetingBlock.day")
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Slot.starts_at",
        overlaps="block,slots")
    tables: Mapped[list["Table"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Table.number")
    product_groups: Mapped[list[ProductGroup]] = relationship(
        secondary=event_product_group, order_by=ProductGroup.sort_order)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"

    @property
    def schedule_published(self) -> bool:
        """Whether participants see their meetings (also after the event)."""
        return self.phase in (Phase.PUBLISHED, Phase.OVER)

    @property
    def is_live(self) -> bool:
        """The schedule is published and accepted requests are placed in it at once."""
        return self.phase is Phase.PUBLISHED and self.live_booking

    @property
    def phase_label(self) -> str:
        if self.is_live:
            return str(_l("Live booking"))
        if self.phase is Phase.PUBLISHED:
            return str(_l("Schedule published, booking closed"))
        return self.phase.label

    def frozen_at(self, now: datetime) -> bool:
        return self.changes_frozen_from is not None and now >= self.changes_frozen_from


class MeetingBlock(db.Model):
    """A stretch of one-to-one meetings on one day; it generates the slots."""

    __tablename__ = "meeting_block"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("meeting_minutes > 0", name="meeting_minutes_positive"),
        CheckConstraint("break_minutes >= 0", name="break_minutes_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    meeting_minutes: Mapped[int] = mapped_column(default=20)
    break_minutes: Mapped[int] = mapped_column(default=5)

    event: Mapped[Event] = relationship(back_populates="blocks")
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="block", cascade="all, delete-orphan", order_by="Slot.starts_at",
        overlaps="event,slots")


class Slot(db.Model):
    """One meeting slot; start and end are stored in UTC."""

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("event_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    block_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_block.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="slots", overlaps="block,slots")
    block: Mapped[MeetingBlock] = relationship(back_populates="slots", overlaps="event,slots")


class Table(db.Model):
    """A meeting table. With an owner it is that supplier's stand."""

    __tablename__ = "meeting_table"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    zone: Mapped[str] = mapped_column(String(80), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("participation.id", ondelete="SET NULL"), index=True)
    spare: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="tables")
    owner: Mapped["Participation | None"] = relationship(foreign_keys=[owner_id])

    @property
    def label(self) -> str:
        if self.zone:
            return gettext("Table %(number)s (%(zone)s)", number=self.number, zone=self.zone)
        return gettext("Table %(number)s", number=self.number)
