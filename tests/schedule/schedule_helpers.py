"""Plain helpers of the schedule tests (fixtures are in conftest.py).

Test modules import them by name (pytest puts the test folder on sys.path). The demo
event, drafts and FCFS publication are in support.py.
"""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.extensions import db
from matchmaker.models import (OPEN_STATUSES, Absence, Booking, Meeting, MeetingRequest,
                               Participation, RequestStatus, SolveRun)
from matchmaker.onsite import services as onsite
from matchmaker.schedule import solving
from matchmaker.scheduling import Assignment, Schedule, Unscheduled, check
from support import draft_run

CONSOLE = "/events/demo/console/schedule"


def post_run(client, kind: str = "meetings", time_limit: str = "1"):
    """The console's form that starts a run of `kind` sent; its response (302 if started)."""
    prefix = kind[0]
    return client.post(f"{CONSOLE}/runs/{kind}", data={f"{prefix}-kind": kind,
                                                       f"{prefix}-time_limit": time_limit})


def last_run() -> SolveRun:
    return db.session.scalar(select(SolveRun).order_by(SolveRun.id.desc()))


def draft_without(event, meeting) -> SolveRun:
    """A draft of the schedule in force that leaves `meeting` out."""
    key = solving.meeting_key(meeting.request_id)
    return edited_draft(event, lambda ep, assignments: assignments.pop(key))


def draft_swapping_tables(event) -> tuple[Meeting, Meeting, SolveRun]:
    """Two meetings in force at pooled tables in one slot, and a draft where they swap
    tables."""
    seen: dict[int, Meeting] = {}
    for m in solving.meetings_in_force(db.session, event):
        if m.table.owner_id is None:
            if m.slot_id in seen:
                a, b = seen[m.slot_id], m
                break
            seen[m.slot_id] = m
    else:
        raise AssertionError("no two pooled meetings share a slot")
    ta, tb = solving.table_key(a.table.number), solving.table_key(b.table.number)

    def edit(ep, assignments):
        ka, kb = solving.meeting_key(a.request_id), solving.meeting_key(b.request_id)
        assignments[ka] = Assignment(meeting=ka, slot=assignments[ka].slot, table=tb)
        assignments[kb] = Assignment(meeting=kb, slot=assignments[kb].slot, table=ta)
    return a, b, edited_draft(event, edit)


def edited_draft(event, edit) -> SolveRun:
    """A draft made from the schedule in force, changed by `edit(ep, assignments)`."""
    ep = solving.build_problem(db.session, event)
    by_request = {m.request_id: m for m in solving.meetings_in_force(db.session, event)}
    assignments = {}
    for key, request in ep.requests.items():
        m = by_request.get(request.id)
        if m is not None:
            assignments[key] = Assignment(meeting=key, slot=solving.slot_key(m.slot_id),
                                          table=solving.table_key(m.table.number))
    edit(ep, assignments)
    unscheduled = tuple(Unscheduled(meeting=m.id, reason="left out")
                        for m in ep.problem.meetings if m.id not in assignments)
    schedule = Schedule(status="feasible", assignments=tuple(assignments.values()),
                        unscheduled=unscheduled)
    assert check(ep.problem, schedule) == []
    return draft_run(event, schedule)


def prepare_standby(event) -> dict:
    """A scheduled meeting whose first participant will come and the other not, and a
    request accepted on the day between the one who came and someone free in that slot,
    both checked in. Returns the ids involved (nothing marked or booked yet)."""
    stands = {t.owner_id for t in event.tables if t.owner_id is not None}
    people = [p for p in db.session.scalars(select(Participation).where(
        Participation.event_id == event.id).order_by(Participation.id))
        if p.role.value in ("buyer", "supplier") and p.id not in stands]
    for meeting in solving.meetings_in_force(db.session, event):
        came, missed = meeting.request.sender, meeting.request.recipient
        if came.id in stands or missed.id in stands or meeting.table.owner_id is not None:
            continue
        slot = meeting.slot
        busy = set(db.session.scalars(select(Booking.participation_id)
                                      .where(Booking.slot_id == slot.id)))
        absent = set(db.session.scalars(select(Absence.participation_id)
                                        .where(Absence.slot_id == slot.id)))
        paired = {pid for r in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status.in_(OPEN_STATUSES),
            (MeetingRequest.sender_id == came.id) | (MeetingRequest.recipient_id == came.id)))
            for pid in (r.sender_id, r.recipient_id)}
        other = next((p for p in people if p.id not in busy | absent | paired
                      and p.role is not came.role), None)
        if other is None:
            continue
        request = MeetingRequest(event_id=event.id, sender_id=came.id, recipient_id=other.id,
                                 status=RequestStatus.ACCEPTED, responded_at=utcnow())
        db.session.add(request)
        for p in (came, other):
            onsite.check_in(db.session, p, now=utcnow())
        db.session.commit()
        return {"no_show": meeting.id, "came": came.id, "slot": slot.id,
                "request": request.id}
    raise AssertionError("the demo has no meeting to mark no-show")
