"""Feedback a participant gives after a meeting: useful (1-5), follow-up, comment."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .meetings import Meeting
from .people import Participation


class MeetingFeedback(db.Model):
    """One per meeting and participant; giving it again updates it."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (
        UniqueConstraint("meeting_id", "participation_id"),
        CheckConstraint("useful BETWEEN 1 AND 5", name="useful_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    useful: Mapped[int]
    follow_up: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    participation: Mapped[Participation] = relationship()
