"""A published demo event with one meeting in its first slot, for the day's messages."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (Event, Meeting, MeetingRequest, Phase, RequestStatus)
from support import place_meeting


def publish_one_meeting(event: Event, slot_index: int = 0) -> Meeting:
    request = db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)).first()
    slot = event.slots[slot_index]
    table = next(t for t in event.tables if t.owner_id is None and not t.spare)
    meeting = place_meeting(request, slot, table)
    event.phase = Phase.PUBLISHED
    db.session.flush()
    return meeting
