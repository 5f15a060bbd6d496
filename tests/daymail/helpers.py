"""A published demo event with one meeting in its first slot, for the day's messages."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (Booking, Event, Meeting, MeetingRequest, Phase, RequestStatus)


def demo_event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "demo"))


def publish_one_meeting(event: Event, slot_index: int = 0) -> Meeting:
    request = db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)).first()
    slot = event.slots[slot_index]
    table = next(t for t in event.tables if t.owner_id is None and not t.spare)
    meeting = Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id,
                      table_id=table.id)
    db.session.add(meeting)
    db.session.flush()
    for pid in (request.sender_id, request.recipient_id):
        db.session.add(Booking(meeting_id=meeting.id, participation_id=pid, slot_id=slot.id))
    event.phase = Phase.PUBLISHED
    db.session.flush()
    return meeting
