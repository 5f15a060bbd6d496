"""Re-solving from any state the event can reach on the day.

A stateful property test: random sequences of live bookings, hand moves, locks,
cancellations, no-shows, held meetings, check-ins and standby bookings, each through
the app's services, with meetings runs started, published and checked in between.
Every run must give a draft that publishes; what was held, booked on site or live,
moved by hand, locked or missed stays where it is; spare tables stay free unless the
run was allowed them; nobody and no table is ever used twice in a slot, and no
calendar shows two live meetings in one slot.

Small: a 12-attendee demo, runs of one second, a few examples. Runs on PostgreSQL
too (`MATCHMAKER_TEST_DATABASE_URL`): every example starts from an emptied database.
"""
from __future__ import annotations

from collections import Counter

import pytest
from flask import current_app
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from matchmaker.database import utcnow
from matchmaker.demo import seed_demo
from matchmaker.domain import DomainError
from matchmaker.exports import ical
from matchmaker.extensions import db
from matchmaker.models import (Absence, Booking, Event, Meeting, MeetingRequest, MeetingStatus,
                               RequestStatus, RunKind, RunStatus, SolveRun)
from matchmaker.onsite import services as onsite
from matchmaker.schedule import compare, moves, publish, runs, solving
from matchmaker.schedule.runners import SyncJobRunner
from support import DEMO_PASSWORD, build_app, reset_database
from matchmaker.reference_data import ensure_reference_data

RUN_SECONDS = 1.0


def _event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "demo"))


def _live(event: Event) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)
                                   .order_by(Meeting.id)))


def _unscheduled(event: Event) -> list[MeetingRequest]:
    return list(db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.event_id == event.id,
                                     MeetingRequest.status == RequestStatus.ACCEPTED,
                                     ~MeetingRequest.meeting.has())
        .order_by(MeetingRequest.id)))


def live_book(event: Event, request: MeetingRequest) -> Meeting | None:
    """A meeting booked outside any run (as a participant's live booking is): the first
    slot where both are free, at a free table the stand rule allows, spare tables never."""
    pair = (request.sender_id, request.recipient_id)
    busy = set(db.session.scalars(select(Booking.slot_id).where(
        Booking.participation_id.in_(pair))))
    busy |= set(db.session.scalars(select(Absence.slot_id).where(
        Absence.participation_id.in_(pair))))
    owned = [t for t in event.tables if t.owner_id in pair]
    tables = owned or [t for t in event.tables if t.owner_id is None and not t.spare]
    taken = {(m.slot_id, m.table_id) for m in _live(event)}
    for slot in event.slots:
        if slot.id in busy or any(moves.at_dialogue(db.session, event, p, slot)
                                  for p in (request.sender, request.recipient)):
            continue
        table = next((t for t in tables if (slot.id, t.id) not in taken), None)
        if table is not None:
            meeting = Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id,
                              table_id=table.id)
            db.session.add(meeting)
            db.session.flush()
            publish.book(db.session, meeting)
            db.session.flush()
            return meeting
    return None


def held_in_place(event: Event) -> dict[int, tuple[int, int]]:
    """meeting id -> (slot, table) of every meeting a re-solve must leave alone."""
    placed = solving.run_placements(db.session, event)
    return {m.id: (m.slot_id, m.table_id) for m in _live(event)
            if m.status is MeetingStatus.NO_SHOW or solving.held_in_place(m, placed)}


class EventOnTheDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = current_app._get_current_object()
        reset_database()
        db.create_all()
        ensure_reference_data(db.session)
        seed_demo(db.session, attendees=12, seed=3,
                  password_hash=self.app.extensions["passwords"].hash(DEMO_PASSWORD))
        db.session.commit()
        self.published = 0

    # --- operations on the day ---------------------------------------------------------

    def _pick(self, items, index: int):
        return items[index % len(items)] if items else None

    @rule(index=st.integers(0, 200))
    def book_live(self, index):
        event = _event()
        request = self._pick(_unscheduled(event), index)
        if request is not None and live_book(event, request) is not None:
            db.session.commit()

    @rule(index=st.integers(0, 200), place=st.integers(0, 200))
    def move_by_hand(self, index, place):
        event = _event()
        meeting = self._pick([m for m in _live(event) if m.status is not MeetingStatus.NO_SHOW],
                             index)
        if meeting is None:
            return
        places = [(slot, table) for slot, tables in moves.free_places(db.session, event, meeting)
                  for table in tables]
        if not places:
            return
        slot, table = self._pick(places, place)
        try:
            moves.move_meeting(db.session, event, meeting, slot, table, notify=False)
        except DomainError:
            db.session.rollback()
            return
        db.session.commit()

    @rule(index=st.integers(0, 200), locked=st.booleans())
    def lock(self, index, locked):
        meeting = self._pick(_live(_event()), index)
        if meeting is not None:
            moves.set_locked(db.session, meeting, locked)
            db.session.commit()

    @rule(index=st.integers(0, 200),
          status=st.sampled_from(("held", "no_show", "cancelled", "scheduled")))
    def mark(self, index, status):
        meeting = self._pick(_live(_event()), index)
        if meeting is None:
            return
        try:
            onsite.set_meeting_status(db.session, meeting, status)
        except DomainError:  # a no-show whose people are booked elsewhere cannot come back
            db.session.rollback()
            return
        db.session.commit()

    @rule(index=st.integers(0, 200))
    def check_in_everyone_of(self, index):
        request = self._pick(_unscheduled(_event()), index)
        if request is not None:
            for p in (request.sender, request.recipient):
                onsite.check_in(db.session, p, now=utcnow())
            db.session.commit()

    @rule(slot_index=st.integers(0, 50), index=st.integers(0, 20))
    def book_standby(self, slot_index, index):
        event = _event()
        slot = self._pick(list(event.slots), slot_index)
        candidate = self._pick(onsite.standby(db.session, event, slot), index)
        if candidate is None:
            return
        onsite.book_standby(db.session, event, slot, candidate.request, candidate.table)
        db.session.commit()

    # --- re-solve and publish ----------------------------------------------------------

    @rule(include_spare=st.booleans())
    def resolve_and_publish(self, include_spare):
        event = _event()
        kept = held_in_place(event)
        spare_before = {m.id for m in _live(event) if m.table.spare}
        run = runs.create_run(db.session, event, RunKind.MEETINGS, time_limit_s=RUN_SECONDS,
                              include_spare=include_spare)
        run_id = run.id
        db.session.commit()
        runs.submit_run(self.app, run_id)
        run = db.session.get(SolveRun, run_id)
        db.session.refresh(run)
        assert run.status is RunStatus.FINISHED, run.message
        event = _event()
        verdict = compare.draft_verdicts(db.session, event, [run])[run_id]
        assert verdict.publishable, verdict.reason
        publish.publish_schedule(db.session, event, run, notify=False)
        db.session.commit()
        self.published += 1

        after = {m.id: (m.slot_id, m.table_id) for m in _live(_event())}
        for meeting_id, place in kept.items():
            assert after.get(meeting_id) == place, f"meeting {meeting_id} left its place"
        if not include_spare:
            at_spare = {m.id for m in _live(_event()) if m.table.spare}
            assert at_spare <= spare_before, "a run not allowed spare tables used one"

    # --- what must always hold -----------------------------------------------------------

    @invariant()
    def nobody_and_no_table_twice_in_a_slot(self):
        event = _event()
        live = [m for m in _live(event) if m.status is not MeetingStatus.NO_SHOW]
        people = Counter((p, m.slot_id) for m in live
                         for p in (m.request.sender_id, m.request.recipient_id))
        assert max(people.values(), default=0) <= 1
        tables = Counter((m.table_id, m.slot_id) for m in _live(event))
        assert max(tables.values(), default=0) <= 1

    @invariant()
    def no_calendar_shows_two_live_meetings_in_a_slot(self):
        event = _event()
        confirmed: Counter[tuple[int, object]] = Counter()
        for m in db.session.scalars(ical._meetings_query().where(Meeting.event_id == event.id)):
            entry = ical._meeting_entry(m, "test.local", None)
            if entry.status == "CONFIRMED":
                for p in (m.request.sender_id, m.request.recipient_id):
                    confirmed[(p, entry.start)] += 1
        assert max(confirmed.values(), default=0) <= 1

    def teardown(self):
        db.session.remove()


@pytest.fixture
def small_app(tmp_path):
    app = build_app(tmp_path, RUNS_SYNC=True, SOLVER_WORKERS=1)
    app.extensions["solve_runner"] = SyncJobRunner()
    yield app
    with app.app_context():
        db.session.remove()


def test_every_reachable_state_resolves_and_publishes(small_app):
    EventOnTheDay.TestCase.settings = settings(
        max_examples=10, stateful_step_count=8, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    with small_app.app_context():
        EventOnTheDay.TestCase().runTest()
