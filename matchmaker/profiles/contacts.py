"""Who sees a participant's e-mail address and phone.

Only people who consented (`share_contact`) have theirs shown, and then only to someone
with an accepted request or a meeting with them, to the organisers, or to every
participant when the organisers chose so. Joining an event never hands out its whole
address book.
"""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ..models import (ContactVisibility, Event, Meeting, MeetingRequest, Participation,
                      RequestStatus, Role)


def have_met(session: Session, a: Participation, b: Participation) -> bool:
    """An accepted request between the two, either way, or a meeting of theirs."""
    low, high = sorted((a.id, b.id))
    return bool(session.scalar(select(exists().where(
        MeetingRequest.pair_low == low, MeetingRequest.pair_high == high,
        or_(MeetingRequest.status == RequestStatus.ACCEPTED,
            exists().where(Meeting.request_id == MeetingRequest.id))))))


def may_see_contact(session: Session, event: Event, viewer: Participation,
                    person: Participation, *, organiser: bool = False) -> bool:
    if viewer.id == person.id:
        return True
    if not person.share_contact:
        return False
    if organiser or viewer.role is Role.ORGANISER:
        return True
    if event.contact_visibility is ContactVisibility.PARTICIPANTS:
        return True
    return have_met(session, viewer, person)
