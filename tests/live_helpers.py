"""A demo event whose schedule is published with live booking on, a week from today."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.demo import seed_demo
from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, Phase, RequestStatus
from support import DEMO_PASSWORD, demo_event


def seed_live_event(app, *, attendees: int = 30) -> None:
    """The demo event, its day a week ahead (whatever today is), schedule published with
    no meetings yet, live booking on, room for many meetings each."""
    with app.app_context():
        seed_demo(db.session, attendees=attendees, seed=7, day=date.today() + timedelta(days=7),
                  password_hash=app.extensions["passwords"].hash(DEMO_PASSWORD))
        event = demo_event()
        event.phase, event.live_booking = Phase.PUBLISHED, True
        event.default_max_meetings = 50
        for request in db.session.scalars(select(MeetingRequest).where(
                MeetingRequest.status == RequestStatus.PENDING)):
            request.expires_at = utcnow() + timedelta(days=3)
        db.session.commit()


def pending_requests() -> list[MeetingRequest]:
    return list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.PENDING).order_by(MeetingRequest.id)))
