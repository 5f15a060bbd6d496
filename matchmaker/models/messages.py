"""Messages to participants that must leave once: receipts of reminders, broadcasts and
outcome questions, and the broadcasts organisers write."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Event
from .people import Participation
from .reference import ProductGroup


class MailReceipt(db.Model):
    """One message of one kind about one thing (a meeting, a broadcast) to one person.

    Written in the transaction that queues the e-mail: the e-mail leaves only when that
    transaction commits, and the unique key refuses a second one, so a worker that
    restarts or runs twice never sends twice.
    """

    __tablename__ = "mail_receipt"
    __table_args__ = (UniqueConstraint("kind", "participation_id", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # 'reminder', 'broadcast', 'outcome'
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    ref_id: Mapped[int]  # the meeting or broadcast the message is about
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participation: Mapped[Participation] = relationship()


class Broadcast(db.Model):
    """A message from the organisers to a segment of the event's participants."""

    __tablename__ = "broadcast"
    __table_args__ = (CheckConstraint("total >= 0", name="total_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    segment: Mapped[str] = mapped_column(String(20))
    product_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_group.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total: Mapped[int] = mapped_column(default=0)  # recipients when sending started
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
