"""What came of a meeting, months later, in one participant's words (one click)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .meetings import Meeting
from .people import Participation, enum_column


class Outcome(str, enum.Enum):
    NO_CONTACT = "no_contact"
    KNOWLEDGE = "knowledge"
    CONTACT = "contact"
    NEGOTIATION = "negotiation"
    AGREEMENT = "agreement"

    @property
    def label(self) -> str:
        return str({"no_contact": _l("No further contact"),
                    "knowledge": _l("Knowledge gained"),
                    "contact": _l("Valuable contact"),
                    "negotiation": _l("Negotiation started"),
                    "agreement": _l("Agreement reached")}[self.value])


class MeetingOutcome(db.Model):
    __tablename__ = "meeting_outcome"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True, index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    participation: Mapped[Participation] = relationship()
