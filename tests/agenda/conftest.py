"""Fixtures of the agenda tests: a published demo event where supplier1 has meetings and a
dialogue seat.

This `published` overrides the root conftest's one (an FCFS schedule) for the agenda
folder: the agenda tests want supplier1's own accepted requests placed one per slot and a
market-dialogue seat, which FCFS does not promise.

The demo promises supplier1 only one accepted request (with buyer1); the fixture adds
three more (with buyer2 to buyer4, with whom the demo promises supplier1 has no request)
so that supplier1 has four meetings in a row and the others none or one.
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from matchmaker.extensions import db
from matchmaker.models import (Absence, Booking, DialogueSeat, DialogueSession, Meeting, MeetingRequest,
                               Participation, Phase, RequestStatus, Side)
from support import demo_event, participation_by_email


def schedule_accepted(participation: Participation) -> list[Meeting]:
    """Place each accepted request of `participation` in its own slot and table."""
    event = participation.event
    requests = db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        (MeetingRequest.sender_id == participation.id)
        | (MeetingRequest.recipient_id == participation.id)).order_by(MeetingRequest.id)).all()
    meetings = []
    for index, request in enumerate(requests):
        slot, table = event.slots[index], event.tables[index]
        meeting = Meeting(event_id=event.id, request=request, slot=slot, table=table)
        db.session.add(meeting)
        db.session.flush()
        for who in (request.sender_id, request.recipient_id):
            db.session.add(Booking(meeting_id=meeting.id, participation_id=who, slot_id=slot.id))
        meetings.append(meeting)
    db.session.flush()
    return meetings


EXTRA_PARTNERS = ("buyer2@demo.example", "buyer3@demo.example", "buyer4@demo.example")


def add_accepted_requests(sender: Participation, emails: tuple[str, ...]) -> None:
    """Accepted requests from `sender` to each of `emails`, all of them present throughout."""
    recipients = [participation_by_email(email) for email in emails]
    db.session.execute(delete(Absence).where(
        Absence.participation_id.in_([sender.id] + [r.id for r in recipients])))
    for recipient in recipients:
        db.session.add(MeetingRequest(event_id=sender.event_id, sender=sender,
                                      recipient=recipient, status=RequestStatus.ACCEPTED))
    db.session.flush()


@pytest.fixture
def published(demo):
    """The demo event, published, with supplier1's meetings and one dialogue seat (overrides
    the root `published` in this folder); returns the app."""
    with demo.app_context():
        event = demo_event()
        supplier = participation_by_email("supplier1@demo.example")
        add_accepted_requests(supplier, EXTRA_PARTNERS)
        schedule_accepted(supplier)
        dialogue = db.session.scalars(select(DialogueSession).order_by(DialogueSession.id)).first()
        db.session.add(DialogueSeat(table_id=dialogue.tables[0].id, session_id=dialogue.id,
                                    participation_id=supplier.id, side=Side.SUPPLIER))
        event.phase = Phase.PUBLISHED
        db.session.commit()
    return demo


@pytest.fixture
def by_email():
    """by_email('supplier1@demo.example') -> that user's participation (in an app context)."""
    return participation_by_email
