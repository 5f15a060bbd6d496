"""Many people acting on the same slots and tables at once, against a served app.

Real threads send real HTTP requests to the app served on loopback over a file
database (SQLite here, PostgreSQL when MATCHMAKER_TEST_DATABASE_URL points at one).
Afterwards: no double booking, no lost request, and every refusal a clean page.
"""
from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (Booking, Event, Meeting, MeetingRequest, Participation,
                               Phase, RequestStatus, Slot, Table)
from scale_helpers import Browser
from support import served

pytestmark = pytest.mark.serial

THREADS = 16


@pytest.fixture
def busy_app(demo):
    demo.config.update(LOGIN_RATE_LIMIT="10000/minute", RATELIMIT_ENABLED=False,
                       SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    return demo


def _fire(jobs):
    """Run the callables together, as many at once as the pool allows."""
    go = threading.Event()

    def run(job):
        go.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        go.set()
        return [future.result() for future in futures]


def _assert_clean(results):
    statuses = Counter(status for status, _ in results)
    assert statuses[500] == 0, statuses
    for status, body in results:
        assert "Traceback" not in body
        if status == 302:
            assert "/login" not in body, "the session was lost"
        assert status in (200, 302, 400, 403, 404, 409), status
    return statuses


def _assert_no_double_booking():
    slot_table = db.session.execute(
        select(Meeting.slot_id, Meeting.table_id, func.count()).group_by(
            Meeting.slot_id, Meeting.table_id).having(func.count() > 1)).all()
    assert slot_table == []
    slot_person = db.session.execute(
        select(Booking.slot_id, Booking.participation_id, func.count()).group_by(
            Booking.slot_id, Booking.participation_id).having(func.count() > 1)).all()
    assert slot_person == []
    for meeting in db.session.scalars(select(Meeting)):
        request = meeting.request
        assert {b.participation_id for b in meeting.bookings} == {request.sender_id,
                                                                  request.recipient_id}
        assert {b.slot_id for b in meeting.bookings} == {meeting.slot_id}


def test_concurrent_answers_to_the_same_requests_lose_nothing(busy_app):
    with busy_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        pending = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING)).all()
        assert pending, "the demo event has pending requests"
        before = db.session.scalar(select(func.count()).select_from(MeetingRequest))
        jobs_spec = []
        for request in pending:
            recipient = request.recipient.user.email
            sender = request.sender.user.email
            jobs_spec += [(recipient, f"/events/{event.slug}/requests/{request.id}/accept", {}),
                          (recipient, f"/events/{event.slug}/requests/{request.id}/accept", {}),
                          (recipient, f"/events/{event.slug}/requests/{request.id}/decline",
                           {"reason": "busy"}),
                          (sender, f"/events/{event.slug}/requests/{request.id}/cancel", {})]
    rng = random.Random(3)
    rng.shuffle(jobs_spec)
    jobs_spec = (jobs_spec * (100 // len(jobs_spec) + 1))[:100]

    with served(busy_app) as base:
        browsers = {}
        for email in {email for email, _, _ in jobs_spec}:
            browsers[email] = Browser(base)
            browsers[email].login(email)
        results = _fire([lambda e=e, p=p, d=d: browsers[e].post(p, d) for e, p, d in jobs_spec])
    _assert_clean(results)

    with busy_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == before
        answered = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.id.in_([r.id for r in pending]))).all()
        assert any(r.status is not RequestStatus.PENDING for r in answered)
        for request in answered:
            assert request.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED,
                                      RequestStatus.CANCELLED, RequestStatus.PENDING)
            if request.status is not RequestStatus.PENDING:
                assert request.responded_at is not None
        # at most one open request per pair, whatever the interleaving
        pairs = Counter((r.pair_low, r.pair_high) for r in db.session.scalars(
            select(MeetingRequest).where(MeetingRequest.status.in_(
                [RequestStatus.PENDING, RequestStatus.ACCEPTED]))))
        assert max(pairs.values()) == 1


def _publish_demo_schedule(app):
    from matchmaker.cli import cli
    result = app.test_cli_runner().invoke(cli, ["schedule", "demo", "--time-limit", "5",
                                                "--publish"])
    assert result.exit_code == 0, result.output


def test_concurrent_moves_onto_the_same_places_never_double_book(busy_app):
    _publish_demo_schedule(busy_app)
    with busy_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        assert event.phase is Phase.PUBLISHED
        meetings = db.session.scalars(select(Meeting)).all()
        assert len(meetings) >= 10
        before = len(meetings)
        slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id)
                                   .order_by(Slot.starts_at)).all()
        pooled = db.session.scalars(select(Table).where(
            Table.event_id == event.id, Table.owner_id.is_(None),
            Table.spare.is_(False)).order_by(Table.number)).all()
        taken = set(db.session.execute(select(Meeting.slot_id, Meeting.table_id)).all())
        free = [(slot.id, table.id) for slot in slots for table in pooled
                if (slot.id, table.id) not in taken]
        assert len(free) >= 4, "the demo schedule leaves free places"
        targets = free[:4]
        rng = random.Random(5)
        jobs_spec = [(rng.choice(meetings).id, *rng.choice(targets)) for _ in range(100)]

    with served(busy_app) as base:
        organiser = Browser(base)
        organiser.login("organiser@demo.example")
        results = _fire([
            lambda m=m, s=s, t=t: organiser.post(
                f"/events/demo/console/schedule/meetings/{m}/move", {"slot": s, "table": t})
            for m, s, t in jobs_spec])
    statuses = _assert_clean(results)
    assert statuses[302] >= 1, statuses  # some moves went through
    assert statuses[400] + statuses[409] >= 1, statuses  # and clashes were refused

    with busy_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == before
        _assert_no_double_booking()


def test_concurrent_standby_bookings_into_one_slot_never_double_book(busy_app):
    _publish_demo_schedule(busy_app)
    with busy_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        scheduled = set(db.session.scalars(select(Meeting.request_id)))
        standby = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED,
            MeetingRequest.id.not_in(scheduled) if scheduled else True)).all()
        accepted = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.ACCEPTED)).all()
        candidates = standby or accepted
        for part in db.session.scalars(select(Participation)):
            part.checked_in_at = part.created_at
        db.session.commit()
        slot = db.session.scalars(select(Slot).where(Slot.event_id == event.id)
                                  .order_by(Slot.starts_at.desc())).first()
        tables = db.session.scalars(select(Table).where(
            Table.event_id == event.id, Table.owner_id.is_(None))).all()
        before = db.session.scalar(select(func.count()).select_from(Meeting))
        rng = random.Random(9)
        jobs_spec = [(rng.choice(candidates).id, rng.choice(tables[:3]).id) for _ in range(100)]
        slot_id = slot.id

    with served(busy_app) as base:
        organiser = Browser(base)
        organiser.login("organiser@demo.example")
        results = _fire([
            lambda r=r, t=t: organiser.post(
                f"/events/demo/console/onsite/slots/{slot_id}/fill",
                {"request_id": r, "table_id": t})
            for r, t in jobs_spec])
    _assert_clean(results)

    with busy_app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Meeting))
        assert after >= before
        _assert_no_double_booking()


@pytest.fixture
def live_busy_app(app):
    """The demo event a week from today with its schedule published and booking live."""
    from live_helpers import seed_live_event
    seed_live_event(app)
    app.config.update(LOGIN_RATE_LIMIT="10000/minute", RATELIMIT_ENABLED=False)
    return app


def test_concurrent_live_bookings_into_few_slots_never_double_book(live_busy_app):
    """100 accept-and-place requests aimed at the first three times of a live event:
    each one books, or is refused with its reason (the time taken, with the next free
    times; already answered; over a cap), never a double booking."""
    with live_busy_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        event.phase, event.live_booking = Phase.PUBLISHED, True
        event.default_max_meetings = 50
        slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id)
                                   .order_by(Slot.starts_at)).all()
        targets = [s.id for s in slots[:3]]
        pending = db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING)).all()
        for request in pending:
            request.expires_at = None
        db.session.commit()
        assert len(pending) >= 10, "the demo event has pending requests"
        rng = random.Random(11)
        jobs_spec = [(request.recipient.user.email, request.id, rng.choice(targets))
                     for request in (rng.choice(pending) for _ in range(100))]

    with served(live_busy_app) as base:
        browsers = {}
        for email in {email for email, _, _ in jobs_spec}:
            browsers[email] = Browser(base)
            browsers[email].login(email)
        results = _fire([
            lambda e=e, r=r, s=s: browsers[e].post(f"/events/demo/requests/{r}/place",
                                                   {"slot": s})
            for e, r, s in jobs_spec])
    statuses = _assert_clean(results)
    assert statuses[302] >= 1, statuses
    assert statuses[409] >= 1, statuses
    reasons = ("Next free times", "No other time is free", "accepted already",
               "has a time already", "the most allowed here", "no room for more meetings",
               "has expired")
    for status, body in results:
        if status == 302:
            assert body.endswith("/events/demo/agenda")
        else:
            assert status == 409, status
            assert any(reason in body for reason in reasons), body[-2000:]

    with live_busy_app.app_context():
        _assert_no_double_booking()
        placed = db.session.scalars(select(Meeting)).all()
        assert len(placed) == statuses[302]
        assert {m.slot_id for m in placed} <= set(targets)
        for meeting in placed:
            assert meeting.request.status is RequestStatus.ACCEPTED
