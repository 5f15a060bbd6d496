"""The adapters from the database to the solvers' problems."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select

from matchmaker.demo import DEMO_DAY
from matchmaker.extensions import db
from matchmaker.models import (Absence, DialogueSeat, DialogueSession, MeetingRequest,
                               RequestStatus, Side)
from matchmaker.schedule import solving
from matchmaker.schedule.dialogue_problem import build_dialogue_problem
from matchmaker.scheduling import problem_to_dict
from support import demo_event


def test_problem_has_slots_in_order_tables_without_spares_and_accepted_requests(demo):
    with demo.app_context():
        event = demo_event()
        ep = solving.build_problem(db.session, event)
        p = ep.problem
        assert [s.id for s in p.slots] == [solving.slot_key(s.id) for s in event.slots]
        assert [s.start for s in p.slots] == sorted(s.start for s in p.slots)
        assert p.slots[0].start == datetime.combine(DEMO_DAY, time(10, 30))  # local, naive
        assert {t.id for t in p.tables} == {solving.table_key(t.number) for t in event.tables
                                            if not t.spare}
        accepted = db.session.scalar(select(func.count()).select_from(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED))
        assert len(p.meetings) == accepted
        assert problem_to_dict(p)["format"] == "matchmaker-instance/1"
        with_spares = solving.build_problem(db.session, event, include_spare=True).problem
        assert len(with_spares.tables) == len(event.tables)


def test_stand_owners_absences_and_meeting_limits_reach_the_problem(demo):
    with demo.app_context():
        event = demo_event()
        ep = solving.build_problem(db.session, event)
        people = {p.id: p for p in ep.problem.participants}
        stand = next(t for t in event.tables if t.owner_id is not None)
        assert people[solving.person_key(stand.owner_id)].table == solving.table_key(stand.number)
        absence = db.session.scalar(select(Absence))
        someone = people[solving.person_key(absence.participation_id)]
        assert solving.slot_key(absence.slot_id) not in someone.available
        assert someone.max_meetings == event.default_max_meetings


def test_locked_meetings_are_fixed_and_published_ones_keep_their_previous_place(published):
    with published.app_context():
        event = demo_event()
        meetings = solving.meetings_in_force(db.session, event)
        meetings[0].locked = True
        db.session.flush()
        problem = solving.build_problem(db.session, event).problem
        by_id = {m.id: m for m in problem.meetings}
        first = by_id[solving.meeting_key(meetings[0].request_id)]
        assert first.fixed.slot == solving.slot_key(meetings[0].slot_id)
        assert first.fixed.table == solving.table_key(meetings[0].table.number)
        second = by_id[solving.meeting_key(meetings[1].request_id)]
        assert second.fixed is None
        assert second.previous.slot == solving.slot_key(meetings[1].slot_id)


def test_a_dialogue_seat_blocks_the_overlapping_one_to_one_slots(demo):
    with demo.app_context():
        event = demo_event()
        request = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED))
        person = request.sender
        slot = event.slots[0]
        dialogue = db.session.scalar(select(DialogueSession))
        dialogue.starts_at, dialogue.ends_at = slot.starts_at, slot.ends_at
        table = dialogue.tables[0]
        db.session.add(DialogueSeat(table_id=table.id, session_id=dialogue.id,
                                    participation_id=person.id,
                                    side=Side.BUYER if person.role.value == "buyer"
                                    else Side.SUPPLIER))
        db.session.flush()
        people = {p.id: p for p in solving.build_problem(db.session, event).problem.participants}
        assert solving.slot_key(slot.id) not in people[solving.person_key(person.id)].available
        unblocked = {p.id: p for p in solving.build_problem(
            db.session, event, block_dialogues=False).problem.participants}
        mine = unblocked[solving.person_key(person.id)]
        assert mine.available is None or solving.slot_key(slot.id) in mine.available


def test_dialogue_problem_has_sessions_tables_moderators_and_interests(demo):
    with demo.app_context():
        event = demo_event()
        built = build_dialogue_problem(db.session, event)
        p = built.problem
        sessions = list(db.session.scalars(select(DialogueSession)))
        assert len(p.sessions) == len(sessions)
        assert sum(len(s.tables) for s in p.sessions) == sum(len(s.tables) for s in sessions)
        people = {x.id: x for x in p.participants}
        moderators = {t.moderator for s in p.sessions for t in s.tables if t.moderator}
        assert moderators <= set(people)
        buyer = next(x for x in p.participants if x.role == "buyer")
        assert buyer.interests and set(buyer.interests.values()) <= {1, 2}
        assert buyer.organisation.startswith("o")
