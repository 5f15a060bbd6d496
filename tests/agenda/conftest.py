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
from sqlalchemy import delete

from matchmaker.extensions import db
from matchmaker.models import (Absence, MeetingRequest,
                               Participation, RequestStatus, Side)
from support import participation_by_email, publish_agenda_of


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
        supplier = participation_by_email("supplier1@demo.example")
        add_accepted_requests(supplier, EXTRA_PARTNERS)
        publish_agenda_of(supplier, Side.SUPPLIER)
    return demo


@pytest.fixture
def by_email():
    """by_email('supplier1@demo.example') -> that user's participation (in an app context)."""
    return participation_by_email
