"""Why an accepted request has no time: the true cause, on the agenda and the requests page."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, or_, select

from matchmaker.extensions import db
from matchmaker.meetings import unscheduled
from matchmaker.models import (Absence, Event, MeetingRequest, Participation,
                               Phase, RequestStatus, Table)
from support import participation_by_email, place_meeting


def accepted_of(me: Participation) -> list[MeetingRequest]:
    return list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        or_(MeetingRequest.sender_id == me.id, MeetingRequest.recipient_id == me.id))
        .order_by(MeetingRequest.id)))


def other_of(request: MeetingRequest, me: Participation) -> Participation:
    return request.recipient if request.sender_id == me.id else request.sender


def accepted_request(event: Event, sender: Participation,
                     recipient: Participation) -> MeetingRequest:
    """An accepted request between two people present for every slot, made by the test."""
    db.session.execute(delete(Absence).where(
        Absence.participation_id.in_([sender.id, recipient.id])))
    request = MeetingRequest(event_id=event.id, sender=sender, recipient=recipient,
                             status=RequestStatus.ACCEPTED)
    db.session.add(request)
    db.session.flush()
    return request


def only_available_at(who: Participation, event: Event, keep: set[int]) -> None:
    for slot in event.slots:
        if slot.id not in keep:
            db.session.add(Absence(participation_id=who.id, slot_id=slot.id))
    db.session.flush()


class Case:
    """supplier1 (`me`), one accepted request of theirs left unscheduled (`target`: the
    demo's one with buyer1, `other`), a second accepted request (`second`, with buyer2) to
    fill a slot with, and an accepted request of two others (`busy`, supplier2 and
    buyer3) to fill a table with. The demo guarantees only the first; the rest is made
    here."""

    def __init__(self) -> None:
        self.event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        self.event.phase = Phase.PUBLISHED
        self.me = participation_by_email("supplier1@demo.example")
        buyer1 = participation_by_email("buyer1@demo.example")
        mine = accepted_of(self.me)
        assert [other_of(r, self.me) for r in mine] == [buyer1], \
            "the demo gives supplier1 one accepted request, with buyer1"
        self.target = mine[0]
        self.other = buyer1
        self.second = accepted_request(self.event, self.me,
                                       participation_by_email("buyer2@demo.example"))
        self.busy = accepted_request(self.event,
                                     participation_by_email("supplier2@demo.example"),
                                     participation_by_email("buyer3@demo.example"))
        self.slots = sorted(self.event.slots, key=lambda s: s.starts_at)
        self.tables = sorted(self.event.tables, key=lambda t: t.number)

    def reason(self) -> unscheduled.NoTime:
        db.session.flush()
        db.session.expire_all()
        target = db.session.get(MeetingRequest, self.target.id)
        return unscheduled.why_no_time(db.session, self.me, [target])[self.target.id]


@pytest.fixture
def case(demo):
    with demo.app_context():
        yield Case()


def test_own_cap_is_named_not_a_lack_of_time(case):
    place_meeting(case.second, case.slots[0], case.tables[0])
    case.me.max_meetings = 1
    reason = case.reason()
    assert reason == unscheduled.NoTime(unscheduled.OWN_CAP, cap=1)
    assert "your own limit of 1 meetings" in unscheduled.no_time_text(reason)


def test_the_counterparts_cap_is_named(case):
    case.other.max_meetings = 0
    reason = case.reason()
    assert reason.code == unscheduled.THEIR_CAP
    assert reason.name == case.other.user.name and reason.cap == 0


def test_own_absence_everywhere(case):
    only_available_at(case.me, case.event, set())
    assert case.reason().code == unscheduled.OWN_ABSENCE


def test_counterpart_absent_everywhere(case):
    only_available_at(case.other, case.event, set())
    assert case.reason() == unscheduled.NoTime(unscheduled.THEIR_ABSENCE,
                                               name=case.other.user.name)


def test_absences_that_never_overlap(case):
    half = len(case.slots) // 2
    only_available_at(case.me, case.event, {s.id for s in case.slots[:half]})
    only_available_at(case.other, case.event, {s.id for s in case.slots[half:]})
    assert case.reason().code == unscheduled.ABSENCES


def test_no_common_free_slot_when_the_only_shared_time_is_taken(case):
    both = {case.slots[0].id}
    only_available_at(case.me, case.event, both)
    only_available_at(case.other, case.event, both)
    place_meeting(case.second, case.slots[0], case.tables[0])
    reason = case.reason()
    assert reason.code == unscheduled.NO_COMMON_FREE_SLOT
    assert "No common free time" in unscheduled.no_time_text(reason)


def test_every_table_taken_at_the_shared_free_time(case):
    both = {case.slots[0].id}
    only_available_at(case.me, case.event, both)
    only_available_at(case.other, case.event, both)
    keep = case.tables[0]
    db.session.execute(delete(Table).where(Table.event_id == case.event.id,
                                           Table.id != keep.id))
    place_meeting(case.busy, case.slots[0], keep)
    assert case.reason().code == unscheduled.NO_TABLE


def test_nothing_in_the_way_reads_as_not_yet_scheduled(case):
    assert case.reason().code == unscheduled.NOT_YET_SCHEDULED


def test_before_publication_it_is_to_be_scheduled(case):
    case.event.phase = Phase.BOOKING_OPEN
    assert case.reason().code == unscheduled.NOT_PUBLISHED


def test_agenda_and_requests_page_give_the_own_cap_as_the_reason(demo, login_as):
    with demo.app_context():
        case = Case()
        place_meeting(case.second, case.slots[0], case.tables[0])
        case.me.max_meetings = 1
        name = case.other.user.name
        db.session.commit()
    client = login_as("supplier1@demo.example")
    agenda = client.get("/events/demo/agenda").data.decode()
    section = agenda.split("Accepted, not in the schedule")[1]
    assert name in section
    assert "You reached your own limit of 1 meetings" in section
    assert "No common free time" not in agenda
    accepted = client.get("/events/demo/requests?tab=accepted").data.decode()
    assert "You reached your own limit of 1 meetings" in accepted
    assert "Meeting at" in accepted  # the placed one shows its time and table
