"""Outcome questions: sent once after the delay, answered in one click, shown per group."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.mail import outbox
from matchmaker.models import MeetingOutcome, Outcome
from matchmaker.outcomes import services

from support import demo_event
from helpers import publish_one_meeting


def _ended(demo):
    with demo.app_context():
        event = demo_event()
        meeting = publish_one_meeting(event)
        db.session.commit()
        return meeting.id, services.event_end(db.session, event)


def _answer_link(body: str) -> str:
    return re.search(r"http://localhost(/outcome/\S+)", body).group(1)


def test_questions_wait_for_the_delay_then_go_once_to_each_side(demo):
    meeting_id, end = _ended(demo)
    assert end is not None
    with demo.app_context():
        assert services.send_questions(db.session, end + timedelta(days=181)) == 0
        assert services.send_questions(db.session, end + timedelta(days=182, minutes=1)) == 2
        db.session.commit()
        assert len(outbox()) == 2 and "/outcome/" in outbox()[0].body
        assert "/mail/opt-out/" in outbox()[0].body
        assert services.send_questions(db.session, end + timedelta(days=200)) == 0
        db.session.commit()
        assert len(outbox()) == 2


def test_delay_is_configurable(demo):
    _meeting_id, end = _ended(demo)
    demo.config["OUTCOME_DELAY_DAYS"] = 30
    with demo.app_context():
        assert services.send_questions(db.session, end + timedelta(days=31)) == 2


def test_one_click_answers_and_can_change_it(demo):
    meeting_id, end = _ended(demo)
    with demo.app_context():
        services.send_questions(db.session, end + timedelta(days=183))
        db.session.commit()
        link = _answer_link(outbox()[0].body)
    client = demo.test_client()
    page = client.get(link)
    assert page.status_code == 200
    assert page.data.decode().count('name="outcome"') == 5
    assert client.post(link, data={"outcome": "negotiation"}).status_code == 200
    assert client.post(link, data={"outcome": "agreement"}).status_code == 200
    with demo.app_context():
        answers = db.session.scalars(select(MeetingOutcome)).all()
        assert [(a.meeting_id, a.outcome) for a in answers] == [(meeting_id, Outcome.AGREEMENT)]


def test_bad_answers_and_tokens_are_refused(demo):
    _meeting_id, end = _ended(demo)
    with demo.app_context():
        services.send_questions(db.session, end + timedelta(days=183))
        db.session.commit()
        link = _answer_link(outbox()[0].body)
    client = demo.test_client()
    page = client.post(link, data={"outcome": "world-peace"})
    assert page.status_code == 400 and b"Not a valid choice" in page.data
    assert client.post(link, data={}).status_code == 400
    assert client.get(link[:-4] + "AAAA").status_code == 404
    with demo.app_context():
        forged = services.answer_token(1, 1)[:-1]
    assert client.get("/outcome/" + forged).status_code == 404
    with demo.app_context():
        assert db.session.scalars(select(MeetingOutcome)).all() == []
        # a well-signed token for someone not in that meeting opens nothing
        assert services.read_answer_token(db.session, services.answer_token(999999, 1)) is None


def test_opted_out_people_get_no_question(demo):
    _meeting_id, end = _ended(demo)
    with demo.app_context():
        meeting = db.session.get(services.Meeting, _meeting_id)
        meeting.bookings[0].participation.user.outcome_questions = False
        db.session.commit()
        assert services.send_questions(db.session, end + timedelta(days=183)) == 1


def test_dashboard_shows_results_per_product_group(demo, login_as):
    meeting_id, end = _ended(demo)
    with demo.app_context():
        meeting = db.session.get(services.Meeting, meeting_id)
        for booking, outcome in zip(meeting.bookings, (Outcome.AGREEMENT, Outcome.KNOWLEDGE)):
            services.record_answer(db.session, meeting, booking.participation, outcome, end)
        db.session.commit()
        results = services.results(db.session, demo_event())
        assert results.answers == 2
        assert results.totals[list(Outcome).index(Outcome.AGREEMENT)] == 1
        assert results.groups and all(g.total == 2 for g in results.groups)
    page = login_as("organiser@demo.example").get("/events/demo/console/").data.decode()
    assert "What came of the meetings" in page and "Agreement reached" in page
