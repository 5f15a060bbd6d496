"""Market dialogues: sessions per product group, their tables, and seats at them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Event
from .people import Participation, enum_column
from .reference import ProductGroup


class Side(str, enum.Enum):
    BUYER = "buyer"
    SUPPLIER = "supplier"

    @property
    def label(self) -> str:
        return str({"buyer": _l("Buyers' side"), "supplier": _l("Suppliers' side")}[self.value])


class DialogueSession(db.Model):
    __tablename__ = "dialogue_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    product_group_id: Mapped[int] = mapped_column(
        ForeignKey("product_group.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(160), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    product_group: Mapped[ProductGroup] = relationship()
    tables: Mapped[list["DialogueTable"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="DialogueTable.label")


class DialogueTable(db.Model):
    __tablename__ = "dialogue_table"
    __table_args__ = (
        UniqueConstraint("session_id", "label"),
        UniqueConstraint("id", "session_id"),
        CheckConstraint("buyer_seats >= 0", name="buyer_seats_non_negative"),
        CheckConstraint("supplier_seats >= 0", name="supplier_seats_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    buyer_seats: Mapped[int] = mapped_column(default=6)
    supplier_seats: Mapped[int] = mapped_column(default=6)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("participation.id", ondelete="SET NULL"), index=True)

    session: Mapped[DialogueSession] = relationship(back_populates="tables")
    moderator: Mapped[Participation | None] = relationship()
    seats: Mapped[list["DialogueSeat"]] = relationship(
        back_populates="table", cascade="all, delete-orphan", passive_deletes=True)


class DialogueSeat(db.Model):
    __tablename__ = "dialogue_seat"
    __table_args__ = (
        UniqueConstraint("session_id", "participation_id"),
        ForeignKeyConstraint(["table_id", "session_id"],
                             ["dialogue_table.id", "dialogue_table.session_id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(enum_column(Side, "side"))

    table: Mapped[DialogueTable] = relationship(back_populates="seats", overlaps="session")
    participation: Mapped[Participation] = relationship()


class DialogueChoice(db.Model):
    """A participant's wish to join a market-dialogue session, ranked 1 (first choice) up."""

    __tablename__ = "dialogue_choice"
    __table_args__ = (
        UniqueConstraint("participation_id", "session_id"),
        UniqueConstraint("participation_id", "rank"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(  # indexed by the unique constraints
        ForeignKey("participation.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_session.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]

    participation: Mapped[Participation] = relationship()
    session: Mapped[DialogueSession] = relationship()


class DialogueOptOut(db.Model):
    """A participant's "no market dialogues for me": no interests, no seat."""

    __tablename__ = "dialogue_opt_out"

    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participation: Mapped[Participation] = relationship()
