"""Feedback after each meeting: when it opens, what a participant gave, giving it."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import DomainError
from ..models import Meeting, MeetingFeedback, MeetingRequest, MeetingStatus, Participation, Slot


def feedback_open(meeting: Meeting, now: datetime) -> bool:
    """Feedback opens when the meeting is marked held or its slot has started."""
    if meeting.status is MeetingStatus.NO_SHOW:
        return False
    return meeting.status is MeetingStatus.HELD or meeting.slot.starts_at <= now


def my_meetings(session: Session, me: Participation) -> list[Meeting]:
    return list(session.scalars(
        select(Meeting).join(MeetingRequest, Meeting.request_id == MeetingRequest.id)
        .join(Slot, Meeting.slot_id == Slot.id)
        .where((MeetingRequest.sender_id == me.id) | (MeetingRequest.recipient_id == me.id),
               Meeting.status != MeetingStatus.NO_SHOW)
        .options(selectinload(Meeting.request), selectinload(Meeting.slot),
                 selectinload(Meeting.table))
        .order_by(Slot.starts_at)))


def feedback_of(session: Session, meeting: Meeting, me: Participation) -> MeetingFeedback | None:
    return session.scalar(select(MeetingFeedback).where(
        MeetingFeedback.meeting_id == meeting.id, MeetingFeedback.participation_id == me.id))


def give_feedback(session: Session, meeting: Meeting, me: Participation, *, useful: int,
                  follow_up: bool, comment: str, now: datetime) -> MeetingFeedback:
    if me.id not in (meeting.request.sender_id, meeting.request.recipient_id):
        raise DomainError(_("Only the two participants of a meeting give feedback on it."))
    if not feedback_open(meeting, now):
        raise DomainError(_("Feedback opens when the meeting has started."))
    if not 1 <= useful <= 5:
        raise DomainError(_("Choose from 1 to 5."), field="useful")
    feedback = feedback_of(session, meeting, me)
    if feedback is None:
        feedback = MeetingFeedback(meeting_id=meeting.id, participation_id=me.id, useful=useful)
        session.add(feedback)
    feedback.useful, feedback.follow_up, feedback.comment = useful, follow_up, comment.strip()
    session.flush()
    return feedback


def other_side(meeting: Meeting, me: Participation) -> Participation:
    request = meeting.request
    return request.recipient if request.sender_id == me.id else request.sender

